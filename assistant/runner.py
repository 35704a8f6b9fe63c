"""`frontline run`: the whole embedded stack in one command — NLU model, Rasa server, the app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from assistant.nlu.build import BuiltProject, build_project
from assistant.nlu.evaluate import Report, evaluate
from assistant.nlu.server import RasaServer, RasaServerError
from assistant.nlu.train import ensure_model
from assistant.world.loader import load_world

Echo = Callable[[str], None]


def prepare_model(settings: Settings, echo: Echo = print) -> tuple[BuiltProject, Path]:
    """Build the Rasa project from nlu_data/ and the world; train only when its fingerprint is new."""
    echo("==> NLU: building the Rasa project from nlu_data/ and the world's vocabulary")
    built = build_project(load_world(settings.world_path), settings.nlu_dir, settings.var_dir / "nlu" / "project")
    model = ensure_model(built, settings.var_dir / "nlu" / "models", settings.rasa_bin, echo=echo,
                         log_file=settings.var_dir / "log" / "rasa-train.log")
    echo(f"==> NLU model {model.name}")
    return built, model


def rasa_server(settings: Settings, built: BuiltProject, model: Path, echo: Echo = print) -> RasaServer:
    port = int(settings.rasa_url.rsplit(":", 1)[-1].rstrip("/"))
    return RasaServer(built, model, action_endpoint=settings.action_endpoint, rasa_bin=settings.rasa_bin,
                      log_file=settings.var_dir / "log" / "rasa.log", port=port, echo=echo)


def evaluate_held_out(settings: Settings, echo: Echo = print) -> Report:
    built, model = prepare_model(settings, echo)
    with rasa_server(settings, built, model, echo) as rasa:
        return evaluate(rasa.parse_url, built.test_files)


def _print_devices(settings: Settings, echo: Echo) -> None:
    from assistant.auth import instance_secret, issue_token
    from assistant.world.schema import DeviceKind

    world = load_world(settings.world_path)
    key = instance_secret(settings)
    echo("Demo devices (Authorization: Bearer <token>):")
    for device in world.devices:
        worker = world.worker_for_device(device.code)
        where = f"{worker.name} @ {worker.site}" if worker else "-"
        echo(f"  {device.code:7} {device.kind.value:11} {where:12} {issue_token(key, device.code)}")
    for code in (d.code for d in world.devices if d.kind is DeviceKind.tablet):
        echo(f"Tablet screen for {code}: http://{settings.host}:{settings.port}/tablet#token={issue_token(key, code)}")


def run_stack(settings: Settings, echo: Echo = print) -> None:
    """Start Rasa in the background (it takes ~30 s to load) and serve the app in the foreground;
    /health answers 503 until both are ready."""
    import uvicorn

    from server.app import create_app

    rasa: RasaServer | None = None
    if settings.start_rasa:
        built, model = prepare_model(settings, echo)
        rasa = rasa_server(settings, built, model, echo)
        threading.Thread(target=_start_rasa, args=(rasa, settings, echo), name="rasa-start", daemon=True).start()
    else:
        echo(f"==> using the Rasa server at {settings.rasa_url} (FRONTLINE_START_RASA=false)")
    _print_devices(settings, echo)
    echo(f"==> app on http://{settings.host}:{settings.port} (Rasa on {settings.rasa_url})")
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    finally:
        if rasa is not None:
            rasa.stop()


def _start_rasa(rasa: RasaServer, settings: Settings, echo: Echo) -> None:
    try:
        rasa.start()
        echo(f"==> ready: http://{settings.host}:{settings.port}  (API docs at /docs)")
    except RasaServerError as error:
        echo(f"!! the Rasa server did not start: {error}")
