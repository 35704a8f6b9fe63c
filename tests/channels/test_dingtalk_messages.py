import json
from typing import Any

import pytest

from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.messages import (
    Audio,
    FileAttachment,
    Picture,
    PicturePart,
    TextPart,
    Video,
    parse_robot_message,
)
from tests.channels.fake_dingtalk import rich_picture_part, rich_text_part, robot_message

# The Stream frame example of DingTalk's protocol page (abridged ids), as it arrives in a frame's `data` string.
DOCUMENTED_DATA = json.dumps({
    "conversationId": "cidAsXSBLnA==", "atUsers": [{"dingtalkId": "$:LWCP_v1:$4TgHFUDZ8Qi8qr3"}],
    "chatbotCorpId": "ding9fcd16741", "chatbotUserId": "$:LWCP_v1:$x3vTgHFUDZ8Qi8qr3", "msgId": "msgLICYeHgY4JtMQw==",
    "senderNick": "用户", "isAdmin": True, "senderStaffId": "16650698", "sessionWebhookExpiredTime": 1690367502152,
    "createAt": 1690362101894, "senderCorpId": "ding9d16741", "conversationType": "2",
    "senderId": "$:LWCP_v1:$jqTgIfhRX9Q==", "conversationTitle": "测试群", "isInAtList": True,
    "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=76da36b48f59e8",
    "text": {"content": " 测试数据"}, "robotCode": "dingr3xc0b", "msgtype": "text",
}, ensure_ascii=False)


def malformed(data: Any) -> str:
    with pytest.raises(DingTalkError) as caught:
        parse_robot_message(data)
    assert caught.value.code == "message-malformed"
    return caught.value.detail


def test_the_documented_group_text_message_parses_field_by_field() -> None:
    message = parse_robot_message(DOCUMENTED_DATA)
    assert message.msg_id == "msgLICYeHgY4JtMQw=="
    assert message.conversation_id == "cidAsXSBLnA=="
    assert message.conversation_type == "2" and message.is_group
    assert message.conversation_title == "测试群"
    assert message.sender_staff_id == "16650698"
    assert message.sender_id == "$:LWCP_v1:$jqTgIfhRX9Q=="
    assert message.sender_nick == "用户"
    assert message.robot_code == "dingr3xc0b"
    assert message.msgtype == "text"
    assert message.text == "测试数据"  # stripped: group messages start with the space left by the @-mention
    assert message.session_webhook == "https://oapi.dingtalk.com/robot/sendBySession?session=76da36b48f59e8"
    assert message.session_webhook_expires_at_ms == 1690367502152
    assert message.create_at_ms == 1690362101894
    assert message.is_in_at_list is True
    assert message.download_codes == ()


def test_bytes_and_an_already_decoded_object_parse_alike() -> None:
    assert parse_robot_message(DOCUMENTED_DATA.encode()) == parse_robot_message(json.loads(DOCUMENTED_DATA))


def test_a_single_chat_text_message() -> None:
    message = parse_robot_message(robot_message(text="  盘点 A-01  \n", conversation_type="1"))
    assert message.conversation_type == "1" and not message.is_group
    assert message.text == "盘点 A-01"
    assert message.conversation_title is None


def test_a_picture_message_carries_its_download_code() -> None:
    message = parse_robot_message(robot_message("picture", content={"downloadCode": "pic-code",
                                                                    "pictureDownloadCode": "other"}))
    assert message.picture == Picture("pic-code")
    assert message.text == ""
    assert message.download_codes == ("pic-code",)
    # Only pictureDownloadCode: still usable.
    assert parse_robot_message(robot_message("picture", content={"pictureDownloadCode": "p2"})).picture == Picture("p2")


def test_an_audio_message_carries_code_recognition_and_duration() -> None:
    message = parse_robot_message(robot_message("audio", content={"downloadCode": "aud-code", "recognition": "入库十箱",
                                                                  "duration": 4200}))
    assert message.audio == Audio("aud-code", "入库十箱", 4200)
    assert message.text == ""  # DingTalk's recognition stays apart from what the user typed
    assert message.download_codes == ("aud-code",)
    # Duration as a string, and no recognition at all.
    assert parse_robot_message(robot_message("audio", content={"downloadCode": "c", "duration": "3000"})).audio \
        == Audio("c", "", 3000)


def test_video_and_file_messages() -> None:
    video = parse_robot_message(robot_message("video", content={"downloadCode": "v", "videoType": "mp4",
                                                                "duration": 9000}))
    assert video.video == Video("v", "mp4", 9000)
    attachment = parse_robot_message(robot_message("file", content={"downloadCode": "f", "fileName": "盘点表.xlsx",
                                                                    "spaceId": "1", "fileId": "2"}))
    assert attachment.file == FileAttachment("f", "盘点表.xlsx")
    assert attachment.download_codes == ("f",)


def test_a_rich_text_message_keeps_text_and_pictures_in_order() -> None:
    content = {"richText": [rich_text_part("@仓库助手 "), rich_text_part("这批货"), rich_picture_part("p1"),
                            rich_text_part("\n和这张"), {"pictureDownloadCode": "p2", "downloadCode": "p2"},
                            {"emoji": "smile"}]}
    message = parse_robot_message(robot_message("richText", content=content))
    assert message.rich_text == (TextPart("@仓库助手 "), TextPart("这批货"), PicturePart("p1"), TextPart("\n和这张"),
                                 PicturePart("p2"))
    assert message.text == "@仓库助手 这批货\n和这张"
    assert message.download_codes == ("p1", "p2")


def test_other_message_types_are_kept_with_their_type() -> None:
    message = parse_robot_message(robot_message("interactiveCard", content={"whatever": 1}))
    assert message.msgtype == "interactiveCard"
    assert message.text == "" and message.download_codes == ()


def test_optional_fields_may_be_absent() -> None:
    data = robot_message(sender_staff_id=None, robot_code=None)
    for key in ("sessionWebhook", "sessionWebhookExpiredTime", "createAt", "isInAtList", "senderNick"):
        del data[key]
    message = parse_robot_message(data)
    assert message.sender_staff_id is None and message.robot_code is None
    assert message.session_webhook is None and message.session_webhook_expires_at_ms is None
    assert message.create_at_ms is None and message.is_in_at_list is False and message.sender_nick == ""
    assert not message.can_reply_by_webhook(now_ms=0)


def test_create_at_as_documented_string() -> None:
    assert parse_robot_message(robot_message(create_at_ms=None, createAt="1690362101894")).create_at_ms \
        == 1690362101894


def test_session_webhook_validity_follows_its_expiry() -> None:
    message = parse_robot_message(robot_message(webhook_expires_at_ms=2_000))
    assert message.can_reply_by_webhook(now_ms=1_999)
    assert not message.can_reply_by_webhook(now_ms=2_000)


def test_repr_shows_neither_the_text_nor_the_webhook() -> None:
    message = parse_robot_message(robot_message("audio", content={"downloadCode": "c", "recognition": "秘密口令"}))
    assert "秘密口令" not in repr(message)
    text_message = parse_robot_message(robot_message(text="秘密口令"))
    assert "秘密口令" not in repr(text_message) and "sendBySession" not in repr(text_message)


@pytest.mark.parametrize("data", ["not json", b"\xff\xfe", "[1, 2]", "null", 42])
def test_what_is_not_a_json_object_is_malformed(data: Any) -> None:
    malformed(data)


@pytest.mark.parametrize("key", ["msgId", "conversationId", "conversationType", "senderId", "msgtype"])
def test_a_missing_required_field_is_malformed(key: str) -> None:
    data = robot_message()
    del data[key]
    assert key in malformed(data)


@pytest.mark.parametrize(("change", "field"), [
    ({"conversationType": "3"}, "conversationType"),
    ({"conversationType": 1}, "conversationType"),
    ({"msgId": ""}, "msgId"),
    ({"text": "hello"}, "text"),
    ({"text": {"content": 5}}, "content"),
    ({"isInAtList": "yes"}, "isInAtList"),
    ({"createAt": True}, "createAt"),
    ({"createAt": "yesterday"}, "createAt"),
    ({"senderNick": ["a"]}, "senderNick"),
])
def test_wrongly_typed_fields_are_malformed(change: dict[str, Any], field: str) -> None:
    data = robot_message()
    data.update(change)
    assert field in malformed(data)


@pytest.mark.parametrize(("msgtype", "content"), [
    ("picture", None),
    ("picture", {"downloadCode": ""}),
    ("audio", {"recognition": "no code"}),
    ("file", {"fileName": "x.pdf"}),
    ("richText", {"richText": "text"}),
    ("richText", {"richText": ["text"]}),
    ("richText", {"richText": [{"type": "picture"}]}),
])
def test_media_without_what_the_type_needs_is_malformed(msgtype: str, content: dict[str, Any] | None) -> None:
    data = robot_message(msgtype, content=content)
    malformed(data)
