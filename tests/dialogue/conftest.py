"""The real stack for dialogue and API tests: the app (uvicorn, SQLite in a temp dir) and a real Rasa server
with the trained model calling the app's action endpoint. Training runs once per NLU fingerprint."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import zxingcpp
from fastapi import FastAPI
from PIL import Image

from assistant.alerts import forget_alerts
from assistant.fleet.store import FleetStore
from assistant.ledger.db import make_engine
from assistant.ledger.seed import load_world_into
from assistant.nlu.build import BuiltProject
from assistant.outbox import DeliveryPolicy
from assistant.partners import Partner
from assistant.world.loader import load_world
from server.app import create_app
from server.channels.settings import ChannelSettings, DingTalkSettings, GroupWebhook, WeComSettings
from server.launch import prepare_model, rasa_server
from server.launch.rasa import RasaServer
from server.settings import REPO_ROOT, Settings
from tests.channels.fake_dingtalk import FakeDingTalk
from tests.channels.fake_wecom import FakeWeCom
from tests.channels.fake_wecom_bot import FakeWeComBotPlatform
from tests.partners.helpers import FlakyPartner
from tests.support import BackgroundLoop, free_port, issue, serve

SECRET = "dialogue-tests-secret"
SECRET_BANK = "the-banks-webhook-secret-0001"  # shared with the partner: it checks every webhook's signature
MOSQUITTO = "mqtt://127.0.0.1:1883"


def label_png(content: str, fmt: zxingcpp.BarcodeFormat, gs1: bool = False) -> bytes:
    """A printed label as zxing-cpp's writer draws it, with a quiet zone, as PNG bytes."""
    barcode = zxingcpp.create_barcode(content, fmt, **({"gs1": True} if gs1 else {}))
    image = Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=4)).convert("L")
    canvas = Image.new("L", (image.width + 120, max(image.height, 100) + 120), 255)
    canvas.paste(image.resize((image.width, max(image.height, 100))), (60, 60))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def doc_of(turn: dict[str, Any]) -> dict[str, Any]:
    """The one ledger document a turn created or changed (an AGV order may accompany a transfer)."""
    [document] = [d for d in turn["documents"] if d["type"] != "agv_order"]
    return document


@dataclass
class Stack:
    app_url: str
    rasa_url: str
    settings: Settings
    client: httpx.Client
    built: BuiltProject
    rasa: RasaServer
    app: FastAPI  # served in this process: a test may look at its services
    wecom: FakeWeCom  # the WeCom platform the app's WeCom channel talks to (loopback)
    wecom_bot: FakeWeComBotPlatform  # the intelligent bot's long-connection platform, on `platform_loop`
    platform_loop: BackgroundLoop
    dingtalk: FakeDingTalk  # DingTalk's API, session webhooks and Stream gateway (loopback)
    partner: FlakyPartner  # the steel trader's bank: signed webhooks of FS's sales and contracts (loopback)
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, device: str) -> str:
        if device not in self.tokens:
            self.tokens[device] = issue(self.settings, device)
        return self.tokens[device]

    def turn(self, device: str, text: str) -> dict[str, Any]:
        response = self.client.post("/api/v1/turns", json={"text": text},
                                    headers={"Authorization": f"Bearer {self.token(device)}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def tap(self, device: str, action: str) -> dict[str, Any]:
        """A button of the last reply (`actions`), tapped."""
        response = self.client.post("/api/v1/turns", json={"action": action},
                                    headers={"Authorization": f"Bearer {self.token(device)}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def image(self, device: str, data: bytes, name: str = "photo.png", text: str | None = None
              ) -> tuple[int, dict[str, Any]]:
        """A photo turn (multipart `image`, optional `text`): status and body."""
        response = self.client.post("/api/v1/turns", files={"image": (name, data, "image/png")},
                                    data={"text": text} if text else None,
                                    headers={"Authorization": f"Bearer {self.token(device)}"})
        body: dict[str, Any] = response.json()
        return response.status_code, body

    def stock(self, device: str, item: str) -> dict[str, dict[str, float]]:
        response = self.client.get("/api/v1/stock", params={"item": item},
                                   headers={"Authorization": f"Bearer {self.token(device)}"})
        assert response.status_code == 200, response.text
        return {row["location"]: {k: float(row[k]) for k in ("on_hand", "reserved", "available")}
                for row in response.json()}

    @property
    def channel_headers(self) -> dict[str, str]:
        return {"X-Frontline-Secret": self.settings.rasa_channel_secret()}

    def restart(self, device: str) -> None:
        httpx.post(f"{self.rasa_url}/webhooks/frontline/conversation/{device}/reset", headers=self.channel_headers,
                   timeout=10).raise_for_status()

    def conversation_events(self, device: str) -> int:
        response = httpx.get(f"{self.rasa_url}/webhooks/frontline/conversation/{device}",
                             headers=self.channel_headers, timeout=10)
        response.raise_for_status()
        events: int = response.json()["events"]
        return events


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    app_port, rasa_port = free_port(), free_port()
    # The fleet link talks to the machine's Mosquitto under a topic base of its own; no simulator runs
    # unless a test starts one, so confirmed transfers simply wait for an AGV.
    # Tests talk faster than people: the turn rate limit is tested on its own (test_limits.py).
    settings = Settings(var_dir=tmp_path_factory.mktemp("stack"), port=app_port, secret=SECRET,
                        rasa_url=f"http://127.0.0.1:{rasa_port}", database_url="", mqtt_url=MOSQUITTO,
                        fleet_base_topic=f"frontline-test-{uuid.uuid4().hex[:8]}/uagv/v2", start_agv_sim=False,
                        turns_per_second=1000, turn_burst=1000,
                        rasa_startup_timeout_s=600)  # the restart test on a busy machine
    wecom = FakeWeCom()
    platform_loop = BackgroundLoop()
    bot: FakeWeComBotPlatform = platform_loop.run(FakeWeComBotPlatform(bot_id="fake-bot", secret="fake-secret")
                                                  .start())
    partner = FlakyPartner(failures=2)
    with serve(wecom.app, free_port()) as wecom_url, FakeDingTalk() as dingtalk, \
            serve(partner.app(), free_port()) as partner_url:
        settings = settings.model_copy(update={
            "partners": (Partner.model_validate({"name": "bank", "url": f"{partner_url}/hook", "secret": SECRET_BANK,
                                                 "events": ["sales_order.confirmed", "contract.signed"],
                                                 "sites": ["FS"]}),),
            # retries as configured in production but quicker: a partner failing twice is reached within seconds
            "partner_delivery": DeliveryPolicy(retry_initial_s=1.0, retry_factor=2.0, retry_max_s=5.0),
            "channels": ChannelSettings(
            wecom=WeComSettings(corp_id=wecom.corp_id, agent_id=wecom.agent_id, secret=wecom.secret,
                                token=wecom.token, encoding_aes_key=wecom.encoding_aes_key, api_base=wecom_url,
                                bot_id="fake-bot", bot_secret="fake-secret", bot_url=bot.url,
                                bot_media_hosts=("127.0.0.1",)),
            dingtalk=DingTalkSettings(app_key=dingtalk.app_key, app_secret=dingtalk.app_secret,
                                      api_base=dingtalk.base_url, oapi_base=dingtalk.base_url,
                                      download_hosts=(dingtalk.host,)),
            # the DG floor's group chat: a DingTalk custom robot with its signing secret
            alert_groups=(GroupWebhook(site="DG", platform="dingtalk", name="DG-floor",
                                       url=dingtalk.group_webhook(), secret=dingtalk.group_secret),))})
        app = create_app(settings)
        with serve(app, app_port) as app_url, rasa_server(settings, built, model) as rasa, \
                httpx.Client(base_url=app_url, timeout=30, trust_env=False) as client:
            yield Stack(app_url, rasa.url, settings, client, built, rasa, app, wecom, bot, platform_loop, dingtalk,
                        partner)
    platform_loop.run(bot.close())
    platform_loop.close()


@pytest.fixture
def fresh(stack: Stack) -> Stack:
    """Each test starts from the demo world and new conversations."""
    engine = make_engine(stack.settings.effective_database_url)
    load_world_into(engine, load_world(stack.settings.world_path))
    FleetStore(engine).clear()
    forget_alerts(engine)
    engine.dispose()
    for device in ("HMD-01", "HMD-02", "PAD-01", "PAD-02", "PAD-DG"):
        stack.restart(device)
    return stack
