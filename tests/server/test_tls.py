"""HTTPS for the LAN: the box's own certificate (made once, kept, made again only when it no longer fits), the
settings that turn it on, and `frontline run` serving the headset view and its socket over HTTPS beside plain HTTP."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from pydantic import ValidationError
from websockets.sync.client import connect

from server.settings import REPO_ROOT, Settings
from server.tls import box_names, self_signed
from tests.support import free_port


def _names(cert_path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {*map(str, san.get_values_for_type(x509.IPAddress)), *san.get_values_for_type(x509.DNSName)}


def test_the_box_gets_a_certificate_once_and_keeps_it(tmp_path: Path) -> None:
    names = box_names(["frontline.lan", "10.1.2.3"])
    cert, key = self_signed(tmp_path / "tls", names)
    assert {"localhost", "127.0.0.1", "::1", "frontline.lan", "10.1.2.3"} <= _names(cert)
    assert key.stat().st_mode & 0o777 == 0o600  # the private key is the box's own
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    assert loaded.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=800)
    assert not loaded.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    before = cert.read_bytes(), key.read_bytes()
    assert self_signed(tmp_path / "tls", names) == (cert, key)  # the next start: the same one (devices accepted it)
    assert (cert.read_bytes(), key.read_bytes()) == before


def test_a_new_address_or_the_end_of_its_life_makes_a_new_one(tmp_path: Path) -> None:
    cert, _key = self_signed(tmp_path, [ipaddress.ip_address("10.1.2.3")])
    first = cert.read_bytes()
    self_signed(tmp_path, [ipaddress.ip_address("10.1.2.3"), ipaddress.ip_address("192.168.7.20")])
    assert cert.read_bytes() != first and "192.168.7.20" in _names(cert)  # the box moved to another network
    second = cert.read_bytes()
    self_signed(tmp_path, [ipaddress.ip_address("192.168.7.20")], now=dt.datetime.now(dt.UTC) + dt.timedelta(days=810))
    assert cert.read_bytes() != second  # about to expire


def test_a_certificate_is_configured_with_its_key(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, ["localhost"])
    assert Settings(var_dir=tmp_path, tls_cert=cert, tls_key=key).https_enabled
    assert not Settings(var_dir=tmp_path).https_enabled and Settings(var_dir=tmp_path, https=True).https_enabled
    with pytest.raises(ValidationError, match="tls_cert and tls_key go together"):
        Settings(var_dir=tmp_path, tls_cert=cert)
    with pytest.raises(ValidationError, match="no such file"):
        Settings(var_dir=tmp_path, tls_cert=cert, tls_key=tmp_path / "missing.pem")


def test_run_serves_the_headset_view_over_https_beside_http(tmp_path: Path) -> None:
    """`frontline run` with FRONTLINE_HTTPS=true and no certificate: one is made for the box, the headset view and
    its socket answer on https:// / wss:// (the app's one lifespan behind both), plain HTTP stays, and the printed
    headset link is the HTTPS one too. SIGTERM stops both listeners."""
    port, https_port = free_port(), free_port()
    env = {**os.environ, "FRONTLINE_VAR_DIR": str(tmp_path), "FRONTLINE_PORT": str(port),
           "FRONTLINE_SECRET": "tls-test-secret", "FRONTLINE_START_RASA": "false", "FRONTLINE_START_AGV_SIM": "false",
           "FRONTLINE_RASA_URL": f"http://127.0.0.1:{free_port()}", "FRONTLINE_DATABASE_URL": "",
           "FRONTLINE_HTTPS": "true", "FRONTLINE_HTTPS_HOST": "127.0.0.1", "FRONTLINE_HTTPS_PORT": str(https_port)}
    log = tmp_path / "run.log"
    runner = subprocess.Popen([sys.executable, "-m", "server", "run"], cwd=REPO_ROOT, env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        cert = tmp_path / "tls" / "cert.pem"
        trusted = ssl.create_default_context(cafile=None)
        deadline = time.monotonic() + 180
        while True:
            assert time.monotonic() < deadline and runner.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if cert.exists():
                    trusted = ssl.create_default_context(cafile=str(cert))
                    page = httpx.get(f"https://127.0.0.1:{https_port}/headset", verify=trusted, timeout=5,
                                     trust_env=False)
                    break
            except (httpx.TransportError, ssl.SSLError):
                pass
            time.sleep(0.5)
        assert page.status_code == 200 and 'id="talk"' in page.text
        assert "connect-src 'self'" in page.headers["content-security-policy"]
        assert httpx.get(f"http://127.0.0.1:{port}/headset", timeout=5, trust_env=False).status_code == 200

        token = re.search(r"Headset view for HMD-01: http://\S+#token=(\S+)\s+https://127\.0\.0\.1:"
                          rf"{https_port}/headset#token=(\S+)", log.read_text())
        assert token is not None and token[1] == token[2], log.read_text()[-3000:]
        with connect(f"wss://127.0.0.1:{https_port}/ws/headset?token={token[1]}", ssl=trusted, open_timeout=30,
                     origin=f"https://127.0.0.1:{https_port}") as headset:
            headset.send(json.dumps({"eof": 1}))  # the page's socket: nothing said, an empty result
            assert json.loads(headset.recv(timeout=10))["text"] == ""

        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) != 0
        for url in (f"http://127.0.0.1:{port}/health", f"https://127.0.0.1:{https_port}/health"):
            with pytest.raises(httpx.TransportError):
                httpx.get(url, verify=trusted, timeout=2, trust_env=False)
    finally:
        runner.kill()
        runner.wait(timeout=30)
