"""Training and running Rasa (server.launch.rasa) without Rasa: the fingerprint cache, failures, endpoints and
command."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from assistant.nlu.build import BuiltProject
from server.launch.rasa import (
    DialogueStore,
    RasaServer,
    RasaServerError,
    TrainingError,
    ensure_model,
    rasa_env,
)


def _fake_rasa(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "rasa"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _built(tmp_path: Path) -> BuiltProject:
    project = tmp_path / "project"
    project.mkdir()
    (project / "credentials.yml").write_text("rest:\n", encoding="utf-8")
    return BuiltProject(project, "f" * 64)


def test_a_cached_model_is_returned_without_training(tmp_path: Path) -> None:
    built = _built(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    (models / f"{built.fingerprint}.tar.gz").write_bytes(b"model")
    rasa = _fake_rasa(tmp_path, "exit 99\n")
    assert ensure_model(built, models, rasa, echo=lambda _line: None) == (models / f"{'f' * 64}.tar.gz").resolve()


def test_training_runs_rasa_in_the_build_dir_and_streams_progress(tmp_path: Path) -> None:
    built = _built(tmp_path)
    models = tmp_path / "models"
    body = ('pwd > "$4/cwd.txt"\necho "$@" > "$4/args.txt"\n'
            'echo "Epochs:  50%|#####| 1/2"\necho "Your Rasa model is trained"\n'
            'touch "$4/$3.tar.gz"\n')
    # argv: train --fixed-model-name <fp> --out <dir> ...: $3 = fingerprint, $5 = out dir
    body = body.replace("$4", "$5")
    lines: list[str] = []
    model = ensure_model(built, models, _fake_rasa(tmp_path, body), echo=lines.append)
    assert model == (models / f"{built.fingerprint}.tar.gz").resolve() and model.is_file()
    assert (models / "cwd.txt").read_text().strip() == str(built.path)
    assert "--fixed-model-name" in (models / "args.txt").read_text()
    assert lines[0].startswith("training the NLU model (about 2–3 minutes on 2 cores)")
    assert any("Epochs" in line for line in lines) and lines[-1].startswith("NLU model trained in")


def test_a_failed_training_raises_with_the_log_tail(tmp_path: Path) -> None:
    built = _built(tmp_path)
    rasa = _fake_rasa(tmp_path, 'echo "InvalidDomain: slot foo"\nexit 1\n')
    with pytest.raises(TrainingError, match="InvalidDomain: slot foo"):
        ensure_model(built, tmp_path / "models", rasa, echo=lambda _line: None)


def test_rasa_env_is_quiet_and_offline() -> None:
    env = rasa_env()
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "2" and env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["HF_HUB_OFFLINE"] == "1"


def test_server_writes_endpoints_and_builds_its_command(tmp_path: Path) -> None:
    built = _built(tmp_path)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    server = RasaServer(built, model, action_endpoint="http://127.0.0.1:8123/webhook", rasa_bin=Path("/x/rasa"),
                        log_file=tmp_path / "log" / "rasa.log", port=5099, channel_secret="c" * 32,
                        action_secret="a" * 32,
                        store=DialogueStore.from_url("postgresql+psycopg://frontline:pw-123@db.local:6543/plant"))
    cmd = server.command()
    text = (tmp_path / "log" / "endpoints-5099.yml").read_text()  # beside the run's log, not in the shared project
    endpoints = yaml.safe_load(text)
    # Rasa fills the token in from the environment: the secret itself is never written to the file.
    assert endpoints["action_endpoint"] == {"url": "http://127.0.0.1:8123/webhook",
                                            "token": "${FRONTLINE_ACTION_SECRET}"}
    assert "a" * 32 not in text
    assert endpoints["tracker_store"] == {
        "type": "components.tracker_store.CompactingSQLTrackerStore", "dialect": "postgresql", "db": "plant",
        "url": "db.local", "port": 6543, "username": "frontline", "password": "${FRONTLINE_DIALOGUE_DB_PASSWORD}",
        "max_events": 80, "keep_turns": 5}
    assert "pw-123" not in text
    assert cmd[:2] == ["/x/rasa", "run"] and "--enable-api" not in cmd and "--cors" not in cmd  # channel only
    assert cmd[cmd.index("-m") + 1] == str(model.resolve())
    assert cmd[cmd.index("-p") + 1] == "5099" and cmd[cmd.index("-i") + 1] == "127.0.0.1"
    assert server.parse_url == "http://127.0.0.1:5099/webhooks/frontline/parse"


def test_server_reports_a_process_that_dies(tmp_path: Path) -> None:
    built = _built(tmp_path)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    rasa = _fake_rasa(tmp_path, 'echo "cannot load model"\nexit 3\n')
    server = RasaServer(built, model, action_endpoint="http://127.0.0.1:1/webhook", rasa_bin=rasa,
                        log_file=tmp_path / "rasa.log", port=5098, echo=lambda _line: None, channel_secret="c" * 32,
                        action_secret="a" * 32, store=DialogueStore.from_url(f"sqlite:///{tmp_path / 'd.db'}"))
    with pytest.raises(RasaServerError, match="cannot load model"), server:
        pass
    assert not server.running
