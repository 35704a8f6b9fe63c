"""`frontline`: run the assistant, reset the demo world, issue device tokens, build the NLU model."""

from __future__ import annotations

import typer

from assistant.config import Settings

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
    """Build the NLU model if needed, start Rasa and the app on the embedded defaults."""
    from assistant.runner import run_stack

    run_stack(Settings())


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


@app.command("agv-sim", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def agv_sim(ctx: typer.Context) -> None:
    """Run the VDA 5050 vehicle simulator (options: --broker URL --speed M/S --serial AGV-01 …, see --help)."""
    from assistant.fleet.sim.__main__ import main as simulate

    simulate(list(ctx.args))


@devices_app.command("token")
def device_token(device: str) -> None:
    """Print the bearer token of a device of the world (the token alone, for scripts)."""
    from assistant.auth import instance_secret, issue_token
    from assistant.world.loader import load_world

    settings = Settings()
    if load_world(settings.world_path).device(device) is None:
        typer.echo(f"没有设备 {device} / unknown device {device}", err=True)
        raise typer.Exit(2)
    typer.echo(issue_token(instance_secret(settings), device))


@devices_app.command("list")
def device_list() -> None:
    """Every device of the world with its kind, site and token."""
    from assistant.auth import instance_secret, issue_token
    from assistant.world.loader import load_world

    settings = Settings()
    world = load_world(settings.world_path)
    key = instance_secret(settings)
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
    from assistant.runner import prepare_model

    model = prepare_model(Settings(), echo=typer.echo)
    typer.echo(f"model: {model}")


@nlu_app.command("evaluate")
def nlu_evaluate() -> None:
    """Score the model on the held-back split through a real Rasa server."""
    from assistant.runner import evaluate_held_out

    report = evaluate_held_out(Settings(), echo=typer.echo)
    typer.echo(report.summary())


def main() -> None:
    app()
