"""`frontline`: run the assistant, reset the demo world, issue device tokens, build the NLU model, simulate AGVs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from server.settings import Settings

app = typer.Typer(help="Frontline shop-floor assistant", no_args_is_help=True, add_completion=False)
demo_app = typer.Typer(help="The demo world", no_args_is_help=True)
devices_app = typer.Typer(help="Devices and their bearer tokens", no_args_is_help=True)
nlu_app = typer.Typer(help="The Rasa NLU model", no_args_is_help=True)
db_app = typer.Typer(help="The ledger database", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(devices_app, name="devices")
app.add_typer(nlu_app, name="nlu")
app.add_typer(db_app, name="db")


@app.command()
def run() -> None:
    """Build the NLU model if needed, start Rasa, the AGV simulator and the app on the embedded defaults."""
    from server.launch import run_stack

    run_stack(Settings(), echo=typer.echo)


@demo_app.command("reset")
def demo_reset() -> None:
    """Restore the demo world: master data, opening stock; documents and moves are cleared."""
    from assistant.fleet.store import FleetStore
    from assistant.ledger.db import make_engine
    from assistant.ledger.migrate import upgrade
    from assistant.ledger.seed import load_world_into
    from assistant.world.loader import load_world

    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    load_world_into(engine, load_world(settings.world_path))
    FleetStore(engine).clear()
    engine.dispose()
    typer.echo(f"demo world restored ({settings.world_path.name})")


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


@devices_app.command("token")
def device_token(device: str) -> None:
    """Print the bearer token of a device of the world (the token alone, for scripts)."""
    from assistant.auth import issue_token
    from assistant.catalogue import both
    from assistant.world.loader import load_world

    settings = Settings()
    if load_world(settings.world_path).device(device) is None:
        zh, en = both("cli-unknown-device", device=device)
        typer.echo(f"{zh} / {en}", err=True)
        raise typer.Exit(2)
    typer.echo(issue_token(settings.token_key(), device))


@devices_app.command("list")
def device_list() -> None:
    """Every device of the world with its kind, site and token."""
    from assistant.auth import issue_token
    from assistant.world.loader import load_world

    settings = Settings()
    world = load_world(settings.world_path)
    key = settings.token_key()
    for device in world.devices:
        worker = world.worker_for_device(device.code)
        typer.echo(f"{device.code:8} {device.kind.value:11} {worker.site if worker else '-':3} "
                   f"{issue_token(key, device.code)}")


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


@nlu_app.command("evaluate")
def nlu_evaluate() -> None:
    """Score the model on the held-out split through a real Rasa server."""
    from server.launch import evaluate_held_out

    report = evaluate_held_out(Settings(), echo=typer.echo)
    typer.echo(report.summary())


def main() -> None:
    app()
