"""`frontline`: run the assistant, reset the demo world, issue device tokens, build the NLU model, simulate AGVs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.access import DeviceTokens
from server.settings import Settings

app = typer.Typer(help="Frontline shop-floor assistant", no_args_is_help=True, add_completion=False)
demo_app = typer.Typer(help="The demo world", no_args_is_help=True)
devices_app = typer.Typer(help="Devices and their bearer tokens", no_args_is_help=True)
nlu_app = typer.Typer(help="The Rasa NLU model", no_args_is_help=True)
db_app = typer.Typer(help="The ledger database", no_args_is_help=True)
channels_app = typer.Typer(help="The chat channels (WeCom, DingTalk)", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(devices_app, name="devices")
app.add_typer(nlu_app, name="nlu")
app.add_typer(db_app, name="db")
app.add_typer(channels_app, name="channels")
contracts_app = typer.Typer(help="Signed purchase-sale contracts", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")


@app.command()
def run() -> None:
    """Build the NLU model if needed, start Rasa, the AGV simulator and the app on the embedded defaults."""
    from server.launch import run_stack

    run_stack(Settings(), echo=typer.echo)


@app.command()
def serve(workers: Annotated[int, typer.Option(help="app processes on one port (more than 1: shared state, "
                                                    "PostgreSQL and an external broker)")] = 1) -> None:
    """The app alone (Rasa and vehicles run elsewhere): one of the app processes behind one address when scaled."""
    from server.launch import serve_app

    try:
        serve_app(Settings(), workers, echo=typer.echo)
    except ValueError as error:
        typer.echo(f"!! {error}", err=True)
        raise typer.Exit(2) from None


@demo_app.command("reset")
def demo_reset() -> None:
    """Restore the demo world: master data, opening stock; documents, moves and open conversations are cleared
    (the turn record is kept: it is append-only)."""
    from assistant.alerts import forget_alerts
    from assistant.fleet.store import FleetStore
    from assistant.ledger.db import make_engine
    from assistant.ledger.migrate import upgrade
    from assistant.ledger.seed import load_world_into
    from assistant.world.loader import load_world
    from server.launch.rasa import forget_conversations

    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    load_world_into(engine, load_world(settings.world_path))
    FleetStore(engine).clear()
    forget_alerts(engine)
    engine.dispose()
    forgotten = forget_conversations(settings.effective_dialogue_store_url)
    typer.echo(f"demo world restored ({settings.world_path.name}); {forgotten} conversation events cleared")


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = dict(v.split("=", 1) for v in values)
    return {k.strip(): v.strip() for k, v in pairs.items()}


@app.command("agv-sim")
def agv_sim(
    broker: Annotated[str, typer.Option(help="MQTT broker URL")] = "mqtt://127.0.0.1:1883",
    base: Annotated[str, typer.Option(help="topic base (interfaceName/majorVersion)")] = "uagv/v2",
    world: Annotated[Path | None, typer.Option(help="world file (default: the configured one)")] = None,
    serial: Annotated[list[str] | None, typer.Option(help="only these AGVs (repeatable)")] = None,
    speed: Annotated[float, typer.Option(help="metres per second")] = 1.0,
    action_seconds: Annotated[float, typer.Option(help="duration of pick and drop")] = 2.0,
    state_period: Annotated[float, typer.Option(help="seconds between state messages")] = 1.0,
    start: Annotated[list[str] | None, typer.Option(help="SERIAL=NODE start position (repeatable)")] = None,
    error_at: Annotated[list[str] | None, typer.Option(help="SERIAL=NODE: FATAL error on arrival (repeatable)")]
    = None,
) -> None:
    """Simulate the world's AGVs as VDA 5050 vehicles on an MQTT broker (`frontline run` starts one)."""
    import asyncio

    from assistant.fleet.broker import BrokerAddress
    from assistant.fleet.sim import SimConfig, run_vehicles, vehicles_for
    from assistant.logs import configure_logging
    from assistant.world.loader import load_world

    configure_logging()
    config = SimConfig(speed_m_s=speed, action_s=action_seconds, state_period_s=state_period,
                       visualization_period_s=min(0.5, state_period))
    vehicles = vehicles_for(load_world(world or Settings().world_path), BrokerAddress.from_url(broker), base=base,
                            config=config, serials=serial or (), start=_pairs(start or []),
                            error_at=_pairs(error_at or []))
    asyncio.run(run_vehicles(vehicles))


def _tokens(settings: Settings) -> DeviceTokens:
    from assistant.ledger.db import make_engine
    from assistant.ledger.migrate import upgrade

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    return DeviceTokens(make_engine(settings.effective_database_url))


def _known_device(settings: Settings, device: str) -> None:
    from assistant.catalogue import both
    from assistant.world.loader import load_world

    if load_world(settings.world_path).device(device) is None:
        zh, en = both("cli-unknown-device", device=device)
        typer.echo(f"{zh} / {en}", err=True)
        raise typer.Exit(2)


@devices_app.command("token")
def device_token(
    device: str,
    days: Annotated[float | None, typer.Option(help="valid for this many days (default: FRONTLINE_TOKEN_TTL_DAYS)")]
    = None,
) -> None:
    """Issue a new bearer token for a device and print it (the token alone, for scripts). Earlier tokens stay
    valid until they expire or are revoked: to rotate, issue a new one, then revoke the old one."""
    import datetime as dt

    settings = Settings()
    _known_device(settings, device)
    ttl = dt.timedelta(days=days) if days is not None else settings.token_ttl
    typer.echo(_tokens(settings).issue(device, ttl))


@devices_app.command("revoke")
def device_revoke(
    device: str,
    token: Annotated[str | None, typer.Option(help="revoke only this token (else every token of the device)")]
    = None,
) -> None:
    """Revoke a device's tokens (a lost headset), or one token (the old one after a rotation)."""
    settings = Settings()
    _known_device(settings, device)
    tokens = _tokens(settings)
    if token is not None:
        done = token.startswith(f"{device}.") and tokens.revoke_token(token)  # never another device's
        typer.echo(f"revoked 1 token of {device}" if done else f"no such valid token of {device}")
        raise typer.Exit(0 if done else 1)
    typer.echo(f"revoked {tokens.revoke(device)} token(s) of {device}")


@devices_app.command("list")
def device_list() -> None:
    """Every device of the world with its kind, site, and its valid tokens (never the tokens themselves)."""
    from assistant.world.loader import load_world

    settings = Settings()
    world = load_world(settings.world_path)
    tokens = _tokens(settings)
    for device in world.devices:
        worker = world.worker_for_device(device.code)
        valid = tokens.active(device.code)
        soonest = min((t.expires_at for t in valid if t.expires_at), default=None)
        until = f", first expires {soonest:%Y-%m-%d}" if soonest else ""
        typer.echo(f"{device.code:8} {device.kind.value:11} {worker.site if worker else '-':3} "
                   f"{len(valid)} valid token(s){until}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to the configured database."""
    from assistant.ledger.migrate import upgrade

    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    typer.echo("database is at the latest migration")


@nlu_app.command("train")
def nlu_train() -> None:
    """Build the Rasa project from nlu_data/ and the world; train only when an input changed."""
    from server.launch import prepare_model

    _built, model = prepare_model(Settings(), echo=typer.echo)
    typer.echo(f"model: {model}")


@nlu_app.command("serve")
def nlu_serve(port: Annotated[int | None, typer.Option(help="default: the port of FRONTLINE_RASA_URL")] = None) -> None:
    """One Rasa server in the foreground, with the configured tracker store and conversation lock (one of several
    when scaled)."""
    from server.launch import serve_rasa
    from server.launch.rasa import RasaServerError

    try:
        serve_rasa(Settings(), port, echo=typer.echo)
    except RasaServerError as error:
        typer.echo(f"!! {error}", err=True)
        raise typer.Exit(1) from None


@nlu_app.command("evaluate")
def nlu_evaluate() -> None:
    """Score the model on the held-out split through a real Rasa server."""
    from server.launch import evaluate_held_out

    report = evaluate_held_out(Settings(), echo=typer.echo)
    typer.echo(report.summary())


# The dev sets and what scores each (modules of the repository's bench/ package, not installed with the app).
EVAL_SETS: dict[str, str] = {"dialogue": "bench.dialogue_accuracy", "notes": "bench.notes_accuracy",
                             "voice": "bench.voice_accuracy"}


@app.command("eval")
def evaluate_dev_sets(
    sets: Annotated[list[str] | None, typer.Option("--set", help="dialogue, notes or voice (repeatable); all when "
                                                                  "not given")] = None,
    limit: Annotated[int | None, typer.Option(help="only part of each set (an even spread for voice)")] = None,
) -> None:
    """Accuracy on the generated dev sets (never the shared fixtures): per set, per language and per field."""
    import subprocess
    import sys

    from server.settings import REPO_ROOT

    chosen = sets or list(EVAL_SETS)
    unknown = [s for s in chosen if s not in EVAL_SETS]
    if unknown:
        raise typer.BadParameter(f"unknown set {unknown}; choose from {list(EVAL_SETS)}")
    if not (REPO_ROOT / "bench").is_dir():
        typer.echo("the dev sets live in the repository's bench/ folder: run `frontline eval` from a checkout")
        raise typer.Exit(2)
    failed = []
    for name in chosen:
        typer.echo(f"==> dev set {name} ({chosen.index(name) + 1}/{len(chosen)})")
        command = [sys.executable, "-m", EVAL_SETS[name], *(["--limit", str(limit)] if limit else [])]
        if subprocess.run(command, cwd=REPO_ROOT, check=False).returncode != 0:
            failed.append(name)
    if failed:
        typer.echo(f"failed: {', '.join(failed)}")
        raise typer.Exit(1)


def main() -> None:
    app()


@channels_app.command("show")
def channels_show() -> None:
    """Each channel's callback path and credentials, as JSON (demo credentials are made on first use)."""
    import json

    from assistant.world.loader import load_world
    from server.channels.describe import describe_channels

    settings = Settings()
    sites = tuple(s.code for s in load_world(settings.world_path).sites)
    typer.echo(json.dumps(describe_channels(settings.channels, settings.var_dir, sites), ensure_ascii=False,
                          indent=2))


@channels_app.command("log")
def channels_log(limit: Annotated[int, typer.Option(help="how many of the latest")] = 20) -> None:
    """What would have gone to the platforms (demo credentials keep it on the box), newest last, as JSON lines."""
    import json

    from assistant.journal.channels import OutboundLog
    from assistant.ledger.db import make_engine
    from assistant.ledger.migrate import upgrade

    settings = Settings()
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        for sent in OutboundLog(engine).recent(limit):
            typer.echo(json.dumps({"id": sent.id, "ts": sent.ts.isoformat(), "platform": sent.platform,
                                   "kind": sent.kind, "target": sent.target, "body": sent.body},
                                  ensure_ascii=False))
    finally:
        engine.dispose()


@channels_app.command("try")
def channels_try(platform: Annotated[str, typer.Argument(help="wecom or dingtalk")],
                 user: Annotated[str, typer.Argument(help="the sender's platform user id, e.g. W12")],
                 text: Annotated[str, typer.Argument(help="what they write")]) -> None:
    """Send a message to the running box as the platform would (signed and encrypted with this box's channel
    credentials), and print the reply: `frontline channels try wecom W12 "张三买两斤铁观音"`."""
    from assistant.ledger.db import make_engine
    from assistant.world.loader import load_world
    from server.channels.demo import effective_channels
    from server.channels.trial import try_message

    if platform not in ("wecom", "dingtalk"):
        raise typer.BadParameter("wecom or dingtalk")
    settings = Settings()
    sites = tuple(s.code for s in load_world(settings.world_path).sites)
    channels = effective_channels(settings.channels, settings.var_dir, sites)
    engine = make_engine(settings.effective_database_url)
    try:
        typer.echo(try_message(f"http://{settings.host}:{settings.port}", channels, engine,
                               "wecom" if platform == "wecom" else "dingtalk", user, text))
    finally:
        engine.dispose()


@contracts_app.command("validate")
def contracts_validate(
    pdf: Annotated[Path, typer.Argument(help="a contract PDF", exists=True, dir_okay=False)],
    trust: Annotated[Path, typer.Option(help="the certificate to trust (PEM or DER), e.g. var/contracts/FS.crt",
                                        exists=True, dir_okay=False)],
) -> None:
    """Check a contract's signature with pyHanko's validator: intact, valid, trusted, covering the whole file."""
    from assistant.contracts.validate import check_contract

    check = check_contract(pdf.read_bytes(), trust.read_bytes())
    typer.echo(f"signatures: {check.signatures}\nsigner: {check.signer}\nintact: {check.intact}\n"
               f"valid: {check.valid}\ntrusted: {check.trusted}\nwhole file: {check.whole_file}")
    typer.echo("OK" if check.ok else "NOT OK")
    raise typer.Exit(0 if check.ok else 1)
