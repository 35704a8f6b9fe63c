"""The database goes away under the running app (PostgreSQL behind a proxy the test cuts) and comes back: calls
meanwhile get 503 in words, never a stack trace, and the app serves again once it returns, without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from server.app import create_app
from server.settings import Settings
from tests.ledger.conftest import PG_ADMIN
from tests.support import TcpProxy, free_port, issue, serve

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[str]:
    name = f"frontline_outage_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_outage_is_said_and_survived(tmp_path, database: str) -> None:
    proxy = TcpProxy(5432).on()
    port = free_port()
    settings = Settings(var_dir=tmp_path, port=port, secret="outage-test-secret", start_rasa=False,
                        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{database}",
                        rasa_url=f"http://127.0.0.1:{free_port()}", mqtt_url="mqtt://127.0.0.1:1883",
                        fleet={"base_topic": f"frontline-outage-{uuid.uuid4().hex[:8]}/uagv/v2"})
    try:
        with serve(create_app(settings), port) as url, httpx.Client(base_url=url, timeout=30,
                                                                    trust_env=False) as client:
            headers = {"Authorization": f"Bearer {issue(settings, 'PAD-DG')}"}
            assert client.get("/api/v1/stock", headers=headers).status_code == 200
            proxy.off()
            down = client.get("/api/v1/stock", headers={**headers, "Accept-Language": "zh"})
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert down.json()["error"]["code"] == "db-unavailable" and "数据库" in down.json()["error"]["message"]
            proxy.on()
            assert client.get("/api/v1/stock", headers=headers).status_code == 200
    finally:
        proxy.off()
