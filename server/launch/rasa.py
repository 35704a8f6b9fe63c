"""Rasa's two processes: `rasa train` (once per fingerprint of the built project) and `rasa run` (the server the
app talks to on loopback). The app never imports Rasa: it lives in `.venv-rasa` and is only ever started here."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from assistant.nlu.build import BuiltProject
from server.launch.process import ChildProcess, Echo, ProcessError, ProcessSpec, echo_stderr, run_to_completion

# Lines of `rasa train` worth showing; tqdm's progress bars at most every 10 s.
_PROGRESS = ("Epochs:", "Finished training", "Your Rasa model is trained", "Starting to train",
             "Error", "ERROR", "Traceback", "InvalidDomain", "YamlSyntaxException")
_BAR = re.compile(r"\d+it \[|\d+%\||it/s")
CHANNEL_SECRET_ENV = "FRONTLINE_RASA_CHANNEL_SECRET"  # read by nlu_data/credentials.yml
ACTION_SECRET_ENV = "FRONTLINE_ACTION_SECRET"  # read by the endpoints.yml written below
STORE_PASSWORD_ENV = "FRONTLINE_DIALOGUE_DB_PASSWORD"  # likewise: a password never written to disk
LOCK_PASSWORD_ENV = "FRONTLINE_RASA_LOCK_STORE_PASSWORD"  # likewise
CHANNEL = "/webhooks/frontline"
SECRET_HEADER = "X-Frontline-Secret"


class TrainingError(ProcessError):
    """`rasa train` failed; the message ends with the tail of its log."""


class RasaServerError(ProcessError):
    """The Rasa server did not come up (the message ends with the tail of its log)."""


@dataclass(frozen=True)
class DialogueStore:
    """Where Rasa keeps the conversations (its SQL tracker store): a SQLite file, or a PostgreSQL database."""

    dialect: str  # sqlite | postgresql
    db: str  # the SQLite file, or the database name
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None  # handed to Rasa in its environment, never written to endpoints.yml

    @classmethod
    def from_url(cls, url: str) -> DialogueStore:
        """`sqlite:///var/dialogue.db` or `postgresql[+driver]://user:pw@host:port/db` (the app's own URL form)."""
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        dialect = parsed.get_backend_name()
        if dialect == "sqlite":
            return cls("sqlite", str(Path(parsed.database or "dialogue.db").resolve()))
        if dialect != "postgresql":
            raise ValueError(f"the dialogue store runs on SQLite or PostgreSQL, not {dialect}")
        return cls("postgresql", parsed.database or "postgres", parsed.host or "127.0.0.1", parsed.port or 5432,
                   parsed.username, parsed.password)

    def endpoint(self, max_events: int, keep_turns: int) -> dict[str, Any]:
        config: dict[str, Any] = {"type": "components.tracker_store.CompactingSQLTrackerStore", "dialect": self.dialect,
                                  "db": self.db, "max_events": max_events, "keep_turns": keep_turns}
        if self.host is not None:
            config.update(url=self.host, port=self.port)
        if self.username is not None:
            config["username"] = self.username
        if self.password is not None:
            config["password"] = f"${{{STORE_PASSWORD_ENV}}}"
        return config


@dataclass(frozen=True)
class LockStore:
    """The lock on a conversation that every Rasa server sees in Redis, so several servers handle one conversation's
    messages one at a time (without it each server has its own in-memory lock). Rasa's `RedisLockStore` settings,
    read by `components.lock_store.ConversationLockStore`: Rasa 3.6's own Redis store issues its tickets by a read
    and a write that two servers can interleave, and then both handle the conversation at once."""

    host: str
    port: int = 6379
    db: int = 1
    username: str | None = None
    password: str | None = None  # handed to Rasa in its environment, never written to endpoints.yml
    use_ssl: bool = False
    key_prefix: str = "frontline"  # Rasa wants it alphanumeric

    @classmethod
    def from_url(cls, url: str, key_prefix: str = "frontline") -> LockStore:
        """`redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS."""
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError("the Rasa lock store is a Redis URL: redis://host:6379/1")
        db = parts.path.strip("/")
        prefix = "".join(c for c in key_prefix if c.isalnum()) or "frontline"
        return cls(parts.hostname, parts.port or 6379, int(db) if db else 1,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, parts.scheme == "rediss", prefix)

    def endpoint(self) -> dict[str, Any]:
        config: dict[str, Any] = {"type": "components.lock_store.ConversationLockStore", "url": self.host,
                                  "port": self.port, "db": self.db, "key_prefix": self.key_prefix}
        if self.username is not None:
            config["username"] = self.username
        if self.password is not None:
            config["password"] = f"${{{LOCK_PASSWORD_ENV}}}"
        if self.use_ssl:
            config["use_ssl"] = True
        return config


def forget_conversations(url: str) -> int:
    """Empty Rasa's tracker store at `url` (a demo reset: the open read-backs name documents that are gone).
    Returns how many events went; a store Rasa never created is left alone."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM events")).rowcount or 0
    finally:
        engine.dispose()


def rasa_env() -> dict[str, str]:
    """For every Rasa process: quiet TensorFlow, no telemetry, nothing fetched online."""
    return {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def model_path(built: BuiltProject, models_dir: Path) -> Path:
    return models_dir.resolve() / f"{built.fingerprint}.tar.gz"


class _TrainingProgress:
    """Which `rasa train` lines to echo: the named steps, and a progress bar at most every 10 s."""

    def __init__(self) -> None:
        self._last_bar = float("-inf")

    def __call__(self, line: str, elapsed: float) -> bool:
        if not any(key in line for key in _PROGRESS):
            return False
        if _BAR.search(line):
            if elapsed - self._last_bar < 10:
                return False
            self._last_bar = elapsed
        return True


def ensure_model(built: BuiltProject, models_dir: Path, rasa_bin: Path, *, echo: Echo = echo_stderr,
                 log_file: Path | None = None, timeout_s: float = 1800.0) -> Path:
    """The model for `built`, trained first when `models_dir/<fingerprint>.tar.gz` is missing.

    Progress lines are echoed with the elapsed time; the full output goes to `log_file` (default
    `models_dir/train-<fingerprint>.log`). Raises `TrainingError` on failure."""
    target = model_path(built, models_dir)
    if target.is_file():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    spec = ProcessSpec(
        name="rasa train",
        command=[str(rasa_bin), "train", "--fixed-model-name", built.fingerprint, "--out", str(models_dir.resolve()),
                 "--config", "config.yml", "--domain", "domain.yml", "--data", "data"],
        log_file=log_file or models_dir.resolve() / f"train-{built.fingerprint[:12]}.log",
        cwd=built.path, env=rasa_env())
    echo("training the NLU model (about 2–3 minutes on 2 cores)…")
    started = time.monotonic()
    try:
        run_to_completion(spec, show=_TrainingProgress(), echo=echo, timeout_s=timeout_s)
    except ProcessError as error:
        raise TrainingError(str(error)) from error
    if not target.is_file():
        raise TrainingError(f"rasa train finished without writing {target}; log: {spec.log_file}")
    echo(f"NLU model trained in {time.monotonic() - started:.0f} s: {target}")
    return target


class RasaServer:
    """`rasa run` on `host:port` (loopback unless configured) with the given model, calling the app's action
    endpoint with `action_secret`. It runs without Rasa's HTTP API: the only way in is the Frontline input channel
    (`components.channel`), authenticated with `channel_secret`.

    >>> with RasaServer(built, model, action_endpoint="http://127.0.0.1:8000/webhook", rasa_bin=...,
    ...                 log_file=Path("var/log/rasa.log"), channel_secret="…", action_secret="…",
    ...                 store=DialogueStore.from_url("sqlite:///var/dialogue.db")) as rasa:
    ...     httpx.post(rasa.parse_url, json={"text": "调拨5件曲轴到总装线B区"}, headers=rasa.headers)
    """

    def __init__(self, built: BuiltProject, model: Path, *, action_endpoint: str, rasa_bin: Path, log_file: Path,
                 channel_secret: str, action_secret: str, store: DialogueStore, port: int = 5005,
                 host: str = "127.0.0.1", lock_store: LockStore | None = None,
                 startup_timeout_s: float = 180.0, echo: Echo = echo_stderr,
                 extra_env: Mapping[str, str] | None = None) -> None:
        self.built = built
        self.model = model.resolve()
        self.action_endpoint = action_endpoint
        self.rasa_bin = rasa_bin
        self.host, self.port = host, port
        self.headers = {SECRET_HEADER: channel_secret}
        self.store, self.lock_store = store, lock_store
        self._env = {**rasa_env(), CHANNEL_SECRET_ENV: channel_secret, ACTION_SECRET_ENV: action_secret,
                     **({STORE_PASSWORD_ENV: store.password} if store.password else {}),
                     **({LOCK_PASSWORD_ENV: lock_store.password} if lock_store and lock_store.password else {}),
                     **(extra_env or {})}
        self._log_file = log_file.resolve()
        self._startup_timeout_s, self._echo = startup_timeout_s, echo
        self._child: ChildProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def parse_url(self) -> str:
        return f"{self.url}{CHANNEL}/parse"

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    @property
    def endpoints_path(self) -> Path:
        return self._log_file.parent / f"endpoints-{self.port}.yml"

    def write_endpoints(self) -> Path:
        """endpoints.yml for this run: the app's action endpoint, the persistent tracker store that keeps
        long-lived device conversations (and so turn latency) bounded by compaction, and the Redis lock store when
        several servers share the conversations. Written beside this run's log, not into the shared project: another
        Rasa starting from the same project at the same moment (a `make run` beside `make test`) would otherwise read
        this one's action endpoint and act on the other app's ledger."""
        path = self.endpoints_path
        path.parent.mkdir(parents=True, exist_ok=True)
        endpoints = {
            # Rasa substitutes the variable when it reads the file, so the secret is never written to disk.
            "action_endpoint": {"url": self.action_endpoint, "token": f"${{{ACTION_SECRET_ENV}}}"},
            "tracker_store": self.store.endpoint(max_events=80, keep_turns=5),
        }
        if self.lock_store is not None:
            endpoints["lock_store"] = self.lock_store.endpoint()
        path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        return path

    def command(self) -> list[str]:
        return [
            str(self.rasa_bin), "run", "-m", str(self.model),
            "--endpoints", str(self.write_endpoints()), "--credentials", str(self.built.credentials),
            "-i", self.host, "-p", str(self.port),
        ]

    def _probe(self) -> str | None:
        try:
            response = httpx.get(f"{self.url}{CHANNEL}/status", headers=self.headers, timeout=2.0, trust_env=False)
        except httpx.TransportError:
            return "waiting for the HTTP port (loading TensorFlow and the model)"
        if response.status_code != 200:
            return f"HTTP up, the channel's status answered {response.status_code}"
        status = response.json()
        return None if status.get("model_file") and status.get("model_id") else "HTTP up, loading the model"

    def start(self) -> RasaServer:
        """Start the server and wait until the channel's status reports the model loaded."""
        if not self.model.is_file():
            raise RasaServerError(f"no model at {self.model}")
        if self.running:
            return self
        spec = ProcessSpec(name="the Rasa server", command=self.command(), log_file=self._log_file,
                           cwd=self.built.path, env=self._env)
        self._child = ChildProcess(spec, probe=self._probe, startup_timeout_s=self._startup_timeout_s,
                                   echo=self._echo)
        try:
            self._child.start()
        except ProcessError as error:
            raise RasaServerError(str(error)) from error
        return self

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()

    def __enter__(self) -> RasaServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
