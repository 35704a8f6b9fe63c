"""`frontline channels try`: a message sent to the running box exactly as the platform would send it (signed, and
for WeCom encrypted, with this box's credentials), to try a channel before any platform is connected."""

from __future__ import annotations

import json
import secrets
import time
import uuid

import httpx
from defusedxml.ElementTree import fromstring
from sqlalchemy import Engine

from assistant.journal.channels import OutboundLog
from assistant.world.schema import ChatPlatform
from server.channels.describe import DINGTALK_CALLBACK_PATH, WECOM_CALLBACK_PATH
from server.channels.dingtalk.sign import sign
from server.channels.settings import ChannelSettings
from server.channels.wecom.crypto import WeComCrypto
from server.channels.wecom.xml import cdata, parse_message


def _wecom(app_url: str, channels: ChannelSettings, user: str, text: str) -> str:
    wecom = channels.wecom
    if not (wecom.token and wecom.encoding_aes_key):
        raise ValueError("WeCom's callback is not configured")
    crypto = WeComCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(), wecom.corp_id)
    now = str(int(time.time()))
    plain = (f"<xml><ToUserName>{cdata(wecom.corp_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
             f"<CreateTime>{now}</CreateTime><MsgType>{cdata('text')}</MsgType><Content>{cdata(text)}</Content>"
             f"<MsgId>{secrets.randbelow(10**18)}</MsgId><AgentID>{wecom.agent_id or 0}</AgentID></xml>")
    encrypted = crypto.encrypt(plain.encode())
    nonce = secrets.token_hex(5)
    body = (f"<xml><ToUserName>{cdata(wecom.corp_id)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<AgentID>{cdata(str(wecom.agent_id or 0))}</AgentID></xml>")
    response = httpx.post(app_url + WECOM_CALLBACK_PATH, content=body.encode(), timeout=120, trust_env=False,
                          params={"msg_signature": crypto.signature(now, nonce, encrypted), "timestamp": now,
                                  "nonce": nonce})
    response.raise_for_status()
    if response.text == "success":
        return "(acknowledged; the reply goes through the send API: `frontline channels log`)"
    fields = {child.tag: child.text or "" for child in fromstring(response.content, forbid_dtd=True)}
    reply = crypto.decrypt(fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
    return parse_message(reply).content or ""


def _dingtalk(app_url: str, channels: ChannelSettings, engine: Engine, user: str, text: str) -> str:
    dingtalk = channels.dingtalk
    if dingtalk.app_secret is None:
        raise ValueError("DingTalk is not configured")
    now_ms = int(time.time() * 1000)
    message = {"msgId": f"try{uuid.uuid4().hex}", "msgtype": "text", "text": {"content": text},
               "senderStaffId": user, "senderNick": user, "conversationId": f"try-{user}", "conversationType": "1",
               "robotCode": dingtalk.robot_code or dingtalk.app_key, "createAt": now_ms,
               "sessionWebhook": f"{dingtalk.oapi_base}/robot/sendBySession?session=try",
               "sessionWebhookExpiredTime": now_ms + 3_600_000}
    secret = dingtalk.app_secret.get_secret_value()
    response = httpx.post(app_url + DINGTALK_CALLBACK_PATH, json=message, timeout=120, trust_env=False,
                          headers={"timestamp": str(now_ms), "sign": sign(now_ms, secret)})
    response.raise_for_status()
    if not channels.demo:
        return "(answered through DingTalk's session webhook)"
    kept = [o for o in OutboundLog(engine).recent(5) if o.platform == "dingtalk" and o.target == user]
    return str(kept[-1].body["markdown"]["text"]) if kept else json.dumps(response.json())


def try_message(app_url: str, channels: ChannelSettings, engine: Engine, platform: ChatPlatform, user: str,
                text: str) -> str:
    """The reply the box gave (the passive reply for WeCom, the kept session-webhook reply for DingTalk)."""
    if platform == "wecom":
        return _wecom(app_url, channels, user, text)
    return _dingtalk(app_url, channels, engine, user, text)
