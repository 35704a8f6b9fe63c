"""deploy/ stays true to the code: every setting it names exists and parses, every command its units run exists
with the options they give."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from server.cli import app
from server.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _env_lines() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "frontline.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_every_setting_of_the_example_exists_and_parses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pairs = _env_lines()
    assert pairs
    for name, value in pairs.items():
        assert name.startswith("FRONTLINE_"), name
        field = name.removeprefix("FRONTLINE_").lower().split("__")[0]
        assert field in Settings.model_fields, f"{name}: no such setting"
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FRONTLINE_VAR_DIR", str(tmp_path))
    for name in ("FRONTLINE_TLS_CERT", "FRONTLINE_TLS_KEY"):  # the site's files, here stand-ins
        (tmp_path / name).write_text("-")
        monkeypatch.setenv(name, str(tmp_path / name))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert len(settings.rasa_urls) == 2 and settings.state_url.startswith("redis://")
    assert not settings.start_rasa and not settings.start_agv_sim
    # the address in front of the apps, to which the Rasa servers add the actions' path themselves
    assert settings.action_endpoint == f"{settings.action_url.rstrip('/')}/webhook"
    assert not settings.action_url.rstrip("/").endswith("/webhook"), settings.action_url


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_every_unit_runs_a_command_that_exists(unit: str) -> None:
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    [start] = re.findall(r"^ExecStart=(.+)$", text, re.M)
    words = shlex.split(start)
    assert words[0].endswith("/frontline"), start
    command: Any = typer.main.get_command(app)  # typer's own click types: looked up by what they can do
    args = list(words[1:])
    while hasattr(command, "get_command") and args and not args[0].startswith("-"):
        found = command.get_command(command.context_class(command), args.pop(0))
        assert found is not None, f"{unit}: no command in {start!r}"
        command = found
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    given = {a for a in args if a.startswith("--")}
    assert given <= options, f"{unit}: unknown options {given - options}"
    assert "EnvironmentFile=/etc/frontline/frontline.env" in text
