"""Text turns per second through real app processes and Rasa servers, scaled: 1 and 2 `frontline serve` processes,
1 and 2 `frontline nlu serve` Rasa servers, one PostgreSQL database, Redis and Mosquitto on loopback.

    .venv/bin/python -m bench.text_turns [--devices 8] [--seconds 60] [--configs 1x1 2x1 2x2]

A config `AxR` is A app processes and R Rasa servers. K devices (`--devices`: half headsets at the plant, half
tablets at the tea shop, added to a copy of the demo world for the run; its stock x1000 so sales never run short)
each send a fixed mix of turns one after another, as fast as answered, for `--seconds` (after 6 unmeasured turns
per device): a headset reads back a transfer and cancels it, then asks for stock; a tablet reads back a sale and
confirms it. Each device's turns go to the app processes in turn (round robin, as a load balancer would), so every
turn of a device crosses processes. The Rasa servers call the actions through a round-robin proxy in front of the
apps. The Rasa servers start once (with both app ports behind the proxy) and serve every config; the apps start
fresh for each. Prints per config the turns, turns/s, p50/p95 latency (client wall time) and the growth over the
first config; then one JSON line."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import yaml

from assistant.world.loader import DEMO_WORLD, load_world
from bench.machine import cpu
from server.launch import prepare_model
from server.settings import REPO_ROOT, Settings
from tests.scale.processes import (
    FailoverProxy,
    Proc,
    Processes,
    app_command,
    health,
    rasa_command,
    rasa_ready,
    rasa_urls_env,
    rasa_var_dir,
    server_port,
    wait_ready,
)
from tests.support import issue

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
MOSQUITTO = "mqtt://127.0.0.1:1883"
SECRET = "bench-text-turns"
# (what the turn is, words) in the order each device repeats them
HEADSET_MIX = [("read-back", "调拨5件曲轴到总装线B区"), ("cancel", "取消"), ("query", "连杆还有多少")]
TABLET_MIX = [("read-back", "张三买两斤铁观音"), ("confirm", "确认")]
# Unmeasured turns per device before each config, so each kind of turn has passed each app (the first of a kind pays
# for TensorFlow's graph and the app's first-use paths, which would count against the first config only).
WARM_TURNS = 6


def bench_world(path: Path, devices: int) -> list[str]:
    """A copy of the demo world with `devices` devices of the plant's operators and the shop's staff (the NLU model
    does not change: devices and quantities are not in its fingerprint), opening stock x1000. Returns the devices."""
    raw: dict[str, Any] = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    owners = {"HMD": ["W01", "W02"], "PAD": ["W11", "W12"]}
    codes: list[str] = []
    for n in range(devices):
        kind = "HMD" if n % 2 == 0 else "PAD"
        code = f"{kind}-{50 + n}"
        codes.append(code)
        raw["devices"].append({"code": code, "kind": "ar_headset" if kind == "HMD" else "tablet"})
        owner = owners[kind][(n // 2) % 2]
        next(w for w in raw["workers"] if w["code"] == owner)["devices"].append(code)
    for line in raw["stock"]:
        line[3] = line[3] * 1000
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_world(path)  # refuses a world it cannot read, here rather than in every process
    return codes


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"frontline_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def forget_prefix(prefix: str) -> None:
    """The run's device state and Rasa's conversation locks in Redis."""
    import redis

    for db in (0, 1):
        client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{db}")
        try:
            for pattern in (f"{prefix}:*", f"{''.join(c for c in prefix if c.isalnum())}*"):
                for key in client.scan_iter(match=pattern):
                    client.delete(key)
        finally:
            client.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _drive(urls: list[str], device: str, token: str, seconds: float, warm_turns: int,
           out: list[tuple[str, float, int]], start: threading.Barrier) -> None:
    """One device's turns, one after another, to the apps in turn; (kind, ms, status) of each after the warm-up."""
    mix = HEADSET_MIX if device.startswith("HMD") else TABLET_MIX
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=120, trust_env=False) as client:
        n = 0
        for _ in range(warm_turns):
            client.post(f"{urls[n % len(urls)]}/api/v1/turns", json={"text": mix[n % len(mix)][1]}, headers=headers)
            n += 1
        n += (-n) % len(mix)  # the measured turns start at the beginning of the mix
        start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            kind, words = mix[n % len(mix)]
            began = time.perf_counter()
            response = client.post(f"{urls[n % len(urls)]}/api/v1/turns", json={"text": words}, headers=headers)
            out.append((kind, (time.perf_counter() - began) * 1000, response.status_code))
            n += 1


def measure(apps: list[Proc], tokens: dict[str, str], seconds: float) -> dict[str, Any]:
    urls = [a.url or "" for a in apps]
    results: dict[str, list[tuple[str, float, int]]] = {device: [] for device in tokens}
    start = threading.Barrier(len(tokens) + 1)
    threads = [threading.Thread(target=_drive, args=(urls, device, token, seconds, WARM_TURNS, results[device], start))
               for device, token in tokens.items()]
    for thread in threads:
        thread.start()
    start.wait(timeout=600)
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    turns = [t for values in results.values() for t in values]
    ok = [ms for _kind, ms, status in turns if status == 200]
    return {"turns": len(turns), "failed": len(turns) - len(ok), "seconds": round(elapsed, 1),
            "per_second": round(len(ok) / elapsed, 2), "p50_ms": round(statistics.median(ok)) if ok else None,
            "p95_ms": round(_pct(ok, 0.95)) if ok else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=8, help="simulated devices sending turns at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time per config")
    parser.add_argument("--configs", nargs="+", default=["1x1", "2x1", "2x2"], help="APPSxRASA, e.g. 2x2")
    args = parser.parse_args()
    configs = [tuple(int(n) for n in c.split("x")) for c in args.configs]
    max_apps, max_rasa = max(a for a, _r in configs), max(r for _a, r in configs)
    print(f"CPU: {cpu()}; {args.devices} devices, {args.seconds:g} s per config", flush=True)
    prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name, fresh_database() as database:
        tmp = Path(tmp_name)
        world_path = tmp / "world.yaml"
        devices = bench_world(world_path, args.devices)
        app_ports, rasa_ports = [server_port() for _ in range(max_apps)], [server_port() for _ in range(max_rasa)]
        rasa_urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
        prefix, base = f"frontline-bench-{uuid.uuid4().hex[:8]}", f"frontline-bench-{uuid.uuid4().hex[:8]}/uagv/v2"
        shared = {
            "FRONTLINE_SECRET": SECRET, "FRONTLINE_HOST": "127.0.0.1", "FRONTLINE_DATABASE_URL": database,
            "FRONTLINE_WORLD_PATH": str(world_path), "FRONTLINE_STATE_URL": REDIS_URL,
            "FRONTLINE_STATE_PREFIX": prefix, "FRONTLINE_RASA_LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
            "FRONTLINE_MQTT_URL": MOSQUITTO, "FRONTLINE_FLEET__BASE_TOPIC": base,
            "FRONTLINE_TURNS_PER_SECOND": "1000", "FRONTLINE_TURN_BURST": "1000", "FRONTLINE_RASA_TIMEOUT_S": "120",
            "FRONTLINE_RASA_STARTUP_TIMEOUT_S": "600",
        }
        with Processes(tmp / "logs") as procs, FailoverProxy(app_ports) as balancer:
            shared["FRONTLINE_ACTION_URL"] = balancer.url
            print(f"==> {max_rasa} Rasa server(s) loading (30-90 s each)…", flush=True)
            rasa = procs.start_many("rasa", lambda i: rasa_command(rasa_ports[i]), max_rasa,
                                    env=lambda i: {**shared, "FRONTLINE_RASA_URLS": rasa_urls_env(rasa_urls),
                                                   "FRONTLINE_VAR_DIR": str(rasa_var_dir(tmp / f"rasa{i}"))},
                                    url=lambda i: rasa_urls[i])
            secret = Settings(secret=SECRET).rasa_channel_secret()
            wait_ready(rasa, lambda p: rasa_ready(p, secret), timeout_s=900, what="Rasa with its model loaded")
            tokens: dict[str, str] = {}
            for apps_n, rasa_n in configs:
                label = f"{apps_n} app(s) x {rasa_n} Rasa"
                print(f"==> {label}: starting the apps…", flush=True)
                apps = [procs.start(f"app-{i}-{apps_n}x{rasa_n}", app_command(),
                                    {**shared, "FRONTLINE_RASA_URLS": rasa_urls_env(rasa_urls[:rasa_n]),
                                     "FRONTLINE_PORT": str(app_ports[i]),
                                     "FRONTLINE_VAR_DIR": str(tmp / f"app{i}-{apps_n}x{rasa_n}")},
                                    url=f"http://127.0.0.1:{app_ports[i]}")
                        for i in range(apps_n)]
                wait_ready(apps, health, timeout_s=600, what="ready")
                if not tokens:  # the first app migrated and seeded the database
                    tokens = {d: issue(Settings(database_url=database, secret=SECRET), d) for d in devices}
                print(f"==> {label}: {len(devices)} devices for {args.seconds:g} s…", flush=True)
                row = {"apps": apps_n, "rasa": rasa_n, **measure(apps, tokens, args.seconds)}
                rows.append(row)
                print(f"    {row['turns']} turns ({row['failed']} failed), {row['per_second']} turns/s, "
                      f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms", flush=True)
                for app in apps:
                    app.stop()
        forget_prefix(prefix)
    first = rows[0]["per_second"] if rows else 0
    print(f"\n| apps x Rasa servers | devices | turns (failed) | turns/s | p50 ms | p95 ms | vs {args.configs[0]} |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        growth = f"x{row['per_second'] / first:.2f}" if first else "-"
        print(f"| {row['apps']} x {row['rasa']} | {args.devices} | {row['turns']} ({row['failed']}) | "
              f"{row['per_second']} | {row['p50_ms']} | {row['p95_ms']} | {growth} |")
    print(json.dumps({"bench": "text_turns", "cpu": cpu(), "devices": args.devices, "seconds": args.seconds,
                      "results": rows}))


if __name__ == "__main__":
    main()
