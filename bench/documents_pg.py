"""Confirmed documents per second on PostgreSQL: the ledger's own transaction (stock rows locked FOR UPDATE, the
document number, lines, moves, and a sale's vouchers), without Rasa or HTTP.

    .venv/bin/python -m bench.documents_pg [--clients 1 8 32] [--seconds 20]

Each client is a process of its own with its own engine, as each app process has (threads would measure Python's
lock, not PostgreSQL's): it plans and confirms documents one after another for `--seconds`, alternating a sale at the
tea shop (1 jin of one of its teas to a customer) and a transfer at the plant (1 piece of one of its parts to a
line), each client starting at another item so the row locks are shared as on a busy floor, not all on one row.
A fresh database per client count, the demo world with every opening quantity x 10,000 (no client runs short).
Prints documents/s, p50/p95 of one plan + confirm, and the growth over one client; then the results as one JSON
line. PostgreSQL on 127.0.0.1:5432 (FRONTLINE_BENCH_PG_ADMIN to point elsewhere)."""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import statistics
import time
import uuid
from datetime import date
from decimal import Decimal
from multiprocessing.synchronize import Barrier

import psycopg

from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.logs import configure_logging
from assistant.world.loader import load_world
from assistant.world.schema import World
from bench.machine import cpu

PG_ADMIN = os.environ.get("FRONTLINE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
SCALE = Decimal(10_000)
TEAS = ("TEA-TGY", "TEA-LJ", "TEA-DHP", "TEA-MLH", "TEA-BC", "TEA-HC", "TEA-LC")  # on the shop floor
PARTS = ("CS-1001", "CM-1002", "GK-3001", "GR-5001", "SP-4001", "CH-5002", "PS-2001", "CR-2002", "BR-6204", "BT-M8")


def plenty(world: World) -> World:
    """The world with every opening quantity (and no safety stock) scaled so that no client runs out."""
    stock = tuple(line.model_copy(update={"quantity": line.quantity * SCALE}) for line in world.stock)
    return world.model_copy(update={"stock": stock, "safety_stock": ()})


def _client(url: str, index: int, seconds: float, start: Barrier, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from assistant.books import Books
    from assistant.ledger.service import Ledger

    world = plenty(load_world())
    engine = make_engine(url)
    books = Books(engine, world) if world.books is not None else None
    ledger = Ledger(engine, world, on_sale=books.on_sale if books else None,
                    on_cancel_sale=books.on_cancel if books else None)
    today = date.today()
    ledger.stock("FZ")  # connect before the clock starts
    latencies: list[float] = []
    sales = transfers = 0
    start.wait()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        began = time.perf_counter()
        turn = f"bench-{index}-{n}"
        if (index + n) % 2 == 0:
            plan = ledger.plan_sales_order("FZ", "C001", today, [(TEAS[(index + n) % len(TEAS)], Decimal(500))])
            ledger.confirm_sales_order(plan, device="PAD-01", worker="W11", turn_id=turn)
            sales += 1
        else:
            move = ledger.plan_transfer("DG", PARTS[(index + n) % len(PARTS)], Decimal(1), "LINE-B")
            ledger.confirm_transfer(move, device="HMD-01", worker="W01", turn_id=turn)
            transfers += 1
        latencies.append((time.perf_counter() - began) * 1000)
        n += 1
    engine.dispose()
    results.put((latencies, sales, transfers))


def _fresh_database() -> tuple[str, str]:
    name = f"frontline_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    upgrade(url)
    engine = make_engine(url)
    load_world_into(engine, plenty(load_world()))
    engine.dispose()
    return name, url


def _drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _documents(url: str) -> int:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM documents WHERE status = 'confirmed'").fetchone()
    return int(row[0]) if row else 0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(clients: int, seconds: float) -> dict[str, float]:
    name, url = _fresh_database()
    try:
        context = multiprocessing.get_context("fork")  # the children build their own engines after the fork
        start = context.Barrier(clients + 1)
        results: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        procs = [context.Process(target=_client, args=(url, i, seconds, start, results)) for i in range(clients)]
        for proc in procs:
            proc.start()
        start.wait(timeout=300)  # every client connected
        began = time.monotonic()
        outcomes = [results.get(timeout=seconds + 300) for _ in procs]
        elapsed = time.monotonic() - began
        for proc in procs:
            proc.join(30)
        latencies = [t for lat, _s, _t in outcomes for t in lat]
        made = sum(s + t for _lat, s, t in outcomes)
        stored = _documents(url)
        if stored != made:
            raise SystemExit(f"{made} documents confirmed, {stored} in the database")
        return {"clients": clients, "documents": made, "seconds": round(elapsed, 2),
                "sales": sum(s for _l, s, _t in outcomes), "transfers": sum(t for _l, _s, t in outcomes),
                "per_second": round(made / elapsed, 1), "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(_pct(latencies, 0.95), 1)}
    finally:
        _drop(name)


def main() -> None:
    configure_logging(logging.WARNING)  # one line per document would drown the progress
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each client count runs")
    args = parser.parse_args()
    print(f"CPU: {cpu()}; PostgreSQL: {PG_ADMIN.rsplit('@', 1)[-1]}", flush=True)
    rows = []
    for clients in args.clients:
        print(f"==> {clients} client(s) for {args.seconds:g} s (fresh database)…", flush=True)
        rows.append(run(clients, args.seconds))
        print(f"    {rows[-1]['documents']:.0f} documents, {rows[-1]['per_second']} /s", flush=True)
    one = rows[0]["per_second"] if rows and rows[0]["clients"] == 1 else None
    print("\n| clients | documents (sales + transfers) | documents/s | p50 ms | p95 ms | vs 1 client |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        growth = f"x{row['per_second'] / one:.2f}" if one else "-"
        print(f"| {row['clients']:.0f} | {row['documents']:.0f} ({row['sales']:.0f} + {row['transfers']:.0f}) | "
              f"{row['per_second']} | {row['p50_ms']} | {row['p95_ms']} | {growth} |")
    print(json.dumps({"bench": "documents_pg", "cpu": cpu(), "seconds": args.seconds, "results": rows}))


if __name__ == "__main__":
    main()
