"""The one settings object (pydantic-settings, prefix `FRONTLINE_`). Built by `create_app`'s caller and the CLI,
never at import; everything below the edge receives the values it needs, not this object."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.contracts.config import ContractConfig
from assistant.fleet.service import FleetSettings
from assistant.outbox import DeliveryPolicy
from assistant.partners import Partner
from assistant.world.loader import DEMO_WORLD
from server.channels.settings import ChannelSettings
from speech.models import WHISPER_DIR
from speech.settings import SpeechSettings
from vision.models import Variant
from vision.settings import VisionSettings

REPO_ROOT = Path(__file__).resolve().parent.parent

# Flat names that came before the engine groups, and the group field each one is another name for: both work, and
# after validation both hold the value in force (see Settings._earlier_names).
_EARLIER_NAMES: dict[str, tuple[str, str]] = {
    "ocr_variant": ("vision", "variant"),
    "fleet_base_topic": ("fleet", "base_topic"),
    "default_language": ("speech", "default_language"),
}


def _default(group: type[BaseModel], name: str) -> Any:
    return group.model_fields[name].default


class ContractSettings(BaseModel):
    """Purchase-sale contracts (docs/contracts.md): FRONTLINE_CONTRACTS__PKCS12, FRONTLINE_CONTRACTS__PASSPHRASE, …"""

    enabled: bool = True  # sites with a company in the world put their confirmed sales into signed contracts
    pkcs12: Path | None = None  # the company's certificate and key (.p12/.pfx); None: a self-signed demo one
    passphrase: SecretStr | None = None  # opens `pkcs12`; never logged
    demo_dir: Path | None = None  # where the demo certificates are made; None: var_dir/contracts
    template: Path | None = None  # the clause template; None: assistant/contracts/templates/sales_contract.zh.md
    font: Path | None = None  # a TrueType font with Chinese; None: fonts-wqy-zenhei (make setup installs it)

    @model_validator(mode="after")
    def _files_exist(self) -> ContractSettings:
        if self.passphrase is not None and self.pkcs12 is None:
            raise ValueError("contracts.passphrase without contracts.pkcs12: give the certificate file too")
        for path in (self.pkcs12, self.template, self.font):
            if path is not None and not path.is_file():
                raise ValueError(f"contracts: no such file: {path}")
        return self


class Settings(BaseSettings):
    # `__` reaches into the engine groups: FRONTLINE_SPEECH__PARTIAL_INTERVAL_S, FRONTLINE_SPEECH__VAD__THRESHOLD.
    model_config = SettingsConfigDict(env_prefix="FRONTLINE_", env_file=".env", extra="ignore",
                                      env_nested_delimiter="__")

    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""  # empty: SQLite file under var_dir
    # Where Rasa keeps conversations across restarts; empty: the app's PostgreSQL database when it runs on one,
    # else a SQLite file of its own under var_dir (two processes writing one SQLite file would wait on each other).
    dialogue_store_url: str = ""
    world_path: Path = DEMO_WORLD
    secret: SecretStr | None = None  # the instance key the internal secrets derive from; empty: generated under var_dir
    token_ttl_days: float | None = Field(default=90.0, gt=0)  # how long a device token is valid; None: until revoked

    host: str = "127.0.0.1"
    port: int = 8000
    # Browser pages of other origins that may open a device socket (the app's own pages always may).
    allowed_origins: tuple[str, ...] = ()
    # HTTPS for the LAN (browsers give the headset view the microphone only on a secure page): on with
    # FRONTLINE_HTTPS=true or a certificate given, served on https_host:https_port beside the plain listener above
    # (which this machine and Rasa's action calls keep using). Without a certificate one is generated for this box
    # under var_dir/tls on first run (server/tls.py); tls_names adds names or addresses to it (JSON list).
    https: bool = False
    https_host: str = "0.0.0.0"
    https_port: int = Field(default=8443, ge=1, le=65535)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_names: tuple[str, ...] = ()

    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa servers (scaled, a JSON list): each conversation goes to one by a hash of its device, the next one
    # when that one refuses the connection. Empty: `rasa_url` alone. They must share the tracker store
    # (`dialogue_store_url` on PostgreSQL) and a lock store (`rasa_lock_store_url`).
    rasa_urls: tuple[str, ...] = ()
    # Rasa's lock store (redis://[:password@]host:6379/1): the conversation lock every Rasa server sees, so one
    # conversation's messages are handled in order whichever server takes them. Empty: Rasa's in-memory lock (one
    # server).
    rasa_lock_store_url: str = ""
    rasa_timeout_s: float = 10.0
    # Where the Rasa servers call the dialogue actions: the address in front of the app processes when scaled;
    # empty: this app itself (host:port).
    action_url: str = ""
    start_rasa: bool = True  # `frontline run` starts the Rasa server as a subprocess
    nlu_dir: Path = REPO_ROOT / "nlu_data"
    rasa_bin: Path = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
    # Loading TensorFlow and the model takes ~20 s on a quiet 2-core box, minutes on a busy one.
    rasa_startup_timeout_s: float = Field(default=180.0, gt=0)

    models_dir: Path = REPO_ROOT / "var" / "models"  # prepared by `make setup` (OCR, speech)
    ocr_variant: Variant = _default(VisionSettings, "variant")  # earlier name of vision.variant
    max_upload_bytes: int = 20 * 1024 * 1024
    # Turns per device: `turn_burst` at once, refilled at `turns_per_second` (more get 429 with Retry-After).
    # A person manages about one turn a second, a script feeding a device's photos a few; a client stuck in a loop
    # is stopped well before its queued turns hurt the other devices (one device's turns run one at a time).
    turns_per_second: float = Field(default=10.0, gt=0)
    turn_burst: int = Field(default=20, ge=1)

    # Per-device state between turns (language, what the conversation waits for, recent scans, the one-turn-at-a-time
    # lock, the turn rate) and socket pushes: empty, in this process (one box); redis://host:6379/0, shared by every
    # app process, so any number of them can serve behind one address.
    state_url: str = ""
    state_prefix: str = "frontline"  # the keys and push channel of this installation on a shared Redis
    # With shared state: a turn lock whose process died is freed after `turn_lock_ttl_s` (longer than any turn);
    # a turn that waits longer than `turn_lock_wait_s` for its device is refused (device-busy), nothing written.
    turn_lock_ttl_s: float = Field(default=60.0, gt=0)
    turn_lock_wait_s: float = Field(default=30.0, gt=0)

    # The engines' own settings types, with their own defaults and checks (FRONTLINE_<GROUP>__<FIELD>).
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    vision: VisionSettings = Field(default_factory=VisionSettings)
    fleet: FleetSettings = Field(default_factory=FleetSettings)  # the MQTT client id is generated, not set
    channels: ChannelSettings = Field(default_factory=ChannelSettings)  # WeCom, DingTalk, alert group chats
    # Partners sent signed webhooks for document events (docs/partners.md), FRONTLINE_PARTNERS as a JSON list:
    # [{"name": "bank", "url": "https://...", "secret": "...", "events": ["sales_order.confirmed"], "sites": ["FS"]}]
    partners: tuple[Partner, ...] = ()
    # How their deliveries retry (FRONTLINE_PARTNER_DELIVERY__RETRY_INITIAL_S=5 …): assistant.outbox.DeliveryPolicy
    partner_delivery: DeliveryPolicy = Field(default_factory=DeliveryPolicy)
    contracts: ContractSettings = Field(default_factory=ContractSettings)  # signed purchase-sale contracts

    mqtt_url: str | None = None  # e.g. mqtt://broker:1883; empty: an MQTT broker embedded in the app
    embedded_mqtt_port: int = 0  # the embedded broker's port on loopback; 0: a free one, chosen at start
    fleet_base_topic: str = _default(FleetSettings, "base_topic")  # earlier name of fleet.base_topic
    start_agv_sim: bool = True  # `frontline run` drives the demo's AGVs with the VDA 5050 simulator
    agv_sim_speed: float = 1.0  # metres per second

    timezone: str = "Asia/Shanghai"
    default_language: str = _default(SpeechSettings, "default_language")  # earlier name of speech.default_language
    max_text_chars: int = Field(default=2000, ge=1)
    # Recordings and photos of turns are kept this many days under var/media (0: only their SHA-256 is kept).
    keep_media_days: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _earlier_names(self) -> Settings:
        """FRONTLINE_OCR_VARIANT, FRONTLINE_FLEET_BASE_TOPIC and FRONTLINE_DEFAULT_LANGUAGE keep working: a value
        given under the earlier name goes into its group (checked there); both names given must agree. Then the
        earlier name is set to the group's value, so code reading either sees the one in force. (`model_copy`
        skips this: update the group field, not the earlier name.)"""
        for earlier, (group_name, name) in _EARLIER_NAMES.items():
            group: BaseModel = getattr(self, group_name)
            value = getattr(self, earlier)
            if earlier in self.model_fields_set:
                if name in group.model_fields_set and getattr(group, name) != value:
                    raise ValueError(f"{earlier} ({value!r}) and {group_name}.{name} ({getattr(group, name)!r}) "
                                     f"disagree: set only {group_name}.{name}")
                try:
                    group = type(group).model_validate({**group.model_dump(), name: value})
                except ValidationError as exc:  # name the setting the user wrote, not the group's field
                    why = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
                    raise ValueError(f"{earlier}: {why}") from None
                setattr(self, group_name, group)
            setattr(self, earlier, getattr(group, name))
        return self

    @model_validator(mode="after")
    def _certificate_with_its_key(self) -> Settings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both (FRONTLINE_TLS_CERT, FRONTLINE_TLS_KEY)")
        for path in (self.tls_cert, self.tls_key):
            if path is not None and not path.is_file():
                raise ValueError(f"no such file: {path}")
        return self

    @property
    def https_enabled(self) -> bool:
        return self.https or self.tls_cert is not None

    @property
    def effective_rasa_urls(self) -> tuple[str, ...]:
        return self.rasa_urls or (self.rasa_url,)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'frontline.db'}"

    @property
    def max_request_bytes(self) -> int:
        """A whole request: the largest upload and its form around it."""
        return self.max_upload_bytes + 1024 * 1024

    @property
    def effective_dialogue_store_url(self) -> str:
        if self.dialogue_store_url:
            return self.dialogue_store_url
        if self.database_url.startswith("postgresql"):
            return self.database_url
        return f"sqlite:///{self.var_dir / 'dialogue.db'}"

    def contract_config(self) -> ContractConfig:
        """The contract service's configuration: these settings, the demo certificates under var_dir."""
        group = self.contracts
        return ContractConfig(pkcs12=group.pkcs12, passphrase=group.passphrase,
                              demo_dir=group.demo_dir or self.var_dir / "contracts", template=group.template,
                              font=group.font, timezone=self.timezone)

    def today(self) -> date:
        """Today at the site: "今天" and order dates follow the site's clock, not the server's."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    @property
    def effective_speech(self) -> SpeechSettings:
        """The speech settings with Whisper where `make setup` lays it out (models_dir), unless a folder is given."""
        if self.speech.whisper_dir is not None:
            return self.speech
        return self.speech.model_copy(update={"whisper_dir": self.models_dir / WHISPER_DIR})

    @property
    def action_endpoint(self) -> str:
        return f"{self.action_url.rstrip('/')}/webhook" if self.action_url else f"http://{self.host}:{self.port}/webhook"

    @property
    def token_ttl(self) -> timedelta | None:
        return timedelta(days=self.token_ttl_days) if self.token_ttl_days is not None else None

    def token_key(self) -> bytes:
        """The instance key (the app ↔ Rasa secrets derive from it): the configured secret, else one generated on
        first use and kept under var/ (mode 600)."""
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

    def action_secret(self) -> str:
        """The secret Rasa shows when it calls the app's action endpoint (`/webhook?token=…`)."""
        return hmac.new(self.token_key(), b"rasa-actions", hashlib.sha256).hexdigest()
