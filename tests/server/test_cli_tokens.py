"""`frontline devices token|revoke|list`: issue, rotate and revoke device tokens from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.access import DeviceTokens
from assistant.ledger.db import make_engine
from server.cli import app


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRONTLINE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("FRONTLINE_DATABASE_URL", raising=False)
    return tmp_path


def test_issue_rotate_and_revoke(var: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["devices", "token", "HMD-01"])
    second = runner.invoke(app, ["devices", "token", "HMD-01", "--days", "1"])
    assert first.exit_code == second.exit_code == 0
    old, new = first.stdout.strip(), second.stdout.strip()
    assert old != new and old.startswith("HMD-01.")
    registry = DeviceTokens(make_engine(f"sqlite:///{var / 'frontline.db'}"))
    assert registry.verify(old) == registry.verify(new) == "HMD-01"
    listed = runner.invoke(app, ["devices", "list"])
    assert "HMD-01" in listed.stdout and "2 valid token(s)" in listed.stdout and old not in listed.stdout
    rotated = runner.invoke(app, ["devices", "revoke", "HMD-01", "--token", old])
    assert rotated.exit_code == 0 and registry.verify(old) is None and registry.verify(new) == "HMD-01"
    lost = runner.invoke(app, ["devices", "revoke", "HMD-01"])
    assert "revoked 1 token(s)" in lost.stdout and registry.verify(new) is None


def test_an_unknown_device_gets_no_token(var: Path) -> None:
    result = CliRunner().invoke(app, ["devices", "token", "HMD-99"])
    assert result.exit_code == 2 and "unknown device HMD-99" in result.output
