"""The one settings object (pydantic-settings, prefix `FRONTLINE_`). Built by `create_app`'s caller and the CLI,
never at import; everything below the edge receives the values it needs, not this object."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.world.loader import DEMO_WORLD

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FRONTLINE_", env_file=".env", extra="ignore")

    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""  # empty: SQLite file under var_dir
    world_path: Path = DEMO_WORLD
    secret: SecretStr | None = None  # device-token key; empty: generated once under var_dir

    host: str = "127.0.0.1"
    port: int = 8000

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 10.0
    start_rasa: bool = True  # `frontline run` starts the Rasa server as a subprocess
    nlu_dir: Path = REPO_ROOT / "nlu_data"
    rasa_bin: Path = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"

    models_dir: Path = REPO_ROOT / "var" / "models"  # prepared by `make setup` (OCR, speech)
    ocr_variant: Literal["tiny", "small"] = "tiny"
    max_upload_bytes: int = 20 * 1024 * 1024

    mqtt_url: str | None = None  # e.g. mqtt://broker:1883; empty: an MQTT broker embedded in the app
    embedded_mqtt_port: int = 0  # the embedded broker's port on loopback; 0: a free one, chosen at start
    fleet_base_topic: str = "uagv/v2"
    start_agv_sim: bool = True  # `frontline run` drives the demo's AGVs with the VDA 5050 simulator
    agv_sim_speed: float = 1.0  # metres per second

    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    max_text_chars: int = Field(default=2000, ge=1)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'frontline.db'}"

    def today(self) -> date:
        """Today at the site: "今天" and order dates follow the site's clock, not the server's."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    @property
    def action_endpoint(self) -> str:
        return f"http://{self.host}:{self.port}/webhook"

    def token_key(self) -> bytes:
        """The key device tokens are signed with: the configured secret, else one generated on first use and
        kept under var/ (mode 600)."""
        if self.secret is not None:
            return self.secret.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()

    def rasa_channel_secret(self) -> str:
        """The secret the app and Rasa share for the Frontline input channel, derived from the token key (both ends
        agree without another setting, and no device token can be turned into it)."""
        return hmac.new(self.token_key(), b"rasa-channel", hashlib.sha256).hexdigest()
