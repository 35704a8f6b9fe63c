"""`frontline run`: the whole embedded stack from one place — the NLU model, the Rasa server, the AGV simulator
and the app. Each child is a `ChildProcess`; the app is served in the foreground and the children stop with it."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from assistant.access import DeviceTokens
from assistant.fleet.broker import free_port
from assistant.nlu.build import BuiltProject, build_project
from assistant.nlu.evaluate import Report, evaluate
from assistant.world.loader import load_world
from assistant.world.schema import DeviceKind, Permission
from server.launch.process import ChildProcess, Echo, echo_stderr
from server.launch.rasa import DialogueStore, LockStore, RasaServer, RasaServerError, ensure_model
from server.launch.simulator import simulator_process
from server.settings import Settings


def prepare_model(settings: Settings, echo: Echo = echo_stderr) -> tuple[BuiltProject, Path]:
    """Build the Rasa project from nlu_data/ and the world; train only when its fingerprint is new."""
    echo("==> NLU: building the Rasa project from nlu_data/ and the world's vocabulary")
    built = build_project(load_world(settings.world_path), settings.nlu_dir, settings.var_dir / "nlu" / "project")
    model = ensure_model(built, settings.var_dir / "nlu" / "models", settings.rasa_bin, echo=echo,
                         log_file=settings.var_dir / "log" / "rasa-train.log")
    echo(f"==> NLU model {model.name}")
    return built, model


def rasa_server(settings: Settings, built: BuiltProject, model: Path, echo: Echo = echo_stderr,
                port: int | None = None) -> RasaServer:
    """The Rasa server of `rasa_url` (or on `port`: one of several), with the configured stores."""
    log_file = settings.var_dir / "log" / (f"rasa-{port}.log" if port else "rasa.log")
    port = port or int(settings.rasa_url.rsplit(":", 1)[-1].rstrip("/"))
    lock_store = (LockStore.from_url(settings.rasa_lock_store_url, settings.state_prefix)
                  if settings.rasa_lock_store_url else None)
    return RasaServer(built, model, action_endpoint=settings.action_endpoint, rasa_bin=settings.rasa_bin,
                      log_file=log_file, port=port, echo=echo,
                      channel_secret=settings.rasa_channel_secret(), action_secret=settings.action_secret(),
                      store=DialogueStore.from_url(settings.effective_dialogue_store_url), lock_store=lock_store,
                      startup_timeout_s=settings.rasa_startup_timeout_s)


def evaluate_held_out(settings: Settings, echo: Echo = echo_stderr) -> Report:
    built, model = prepare_model(settings, echo)
    with rasa_server(settings, built, model, echo) as rasa:
        return evaluate(rasa.parse_url, built.test_files, headers=rasa.headers)


def broker_url(settings: Settings) -> str:
    """Where the fleet's broker is: the configured one, or the broker embedded in the app."""
    return settings.mqtt_url or f"mqtt://127.0.0.1:{settings.embedded_mqtt_port}"


def simulator(settings: Settings, echo: Echo = echo_stderr) -> ChildProcess:
    from assistant.fleet.sim import SimConfig

    return simulator_process(broker_url(settings), base=settings.fleet_base_topic, world=settings.world_path,
                             log_file=settings.var_dir / "log" / "agv-sim.log",
                             config=SimConfig(speed_m_s=settings.agv_sim_speed), echo=echo)


def print_devices(settings: Settings, echo: Echo) -> None:
    """A token for each demo device, issued for this run (`frontline devices token` issues more; `… revoke`
    withdraws them), and the links of the headset view, the tablets' screen and the supervisors' dashboard."""
    from assistant.ledger.db import make_engine
    from assistant.ledger.migrate import upgrade

    world = load_world(settings.world_path)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    tokens = DeviceTokens(engine)
    issued = {device.code: tokens.issue(device.code, settings.token_ttl) for device in world.devices}
    engine.dispose()
    echo("Demo devices (Authorization: Bearer <token>):")
    for device in world.devices:
        worker = world.worker_for_device(device.code)
        where = f"{worker.name} @ {worker.site}" if worker else "-"
        echo(f"  {device.code:7} {device.kind.value:11} {where:12} {issued[device.code]}")
    for code in (d.code for d in world.devices if d.kind is DeviceKind.ar_headset):
        # This machine's own address is a secure page for the browser (its microphone works); another device needs
        # the HTTPS address (FRONTLINE_HTTPS=true).
        links = [f"http://{settings.host}:{settings.port}"]
        if settings.https_enabled:
            from server.launch.listen import https_base_urls

            links += https_base_urls(settings)
        echo(f"Headset view for {code}: " + "  ".join(f"{base}/headset#token={issued[code]}" for base in links))
    for code in (d.code for d in world.devices if d.kind is DeviceKind.tablet):
        echo(f"Tablet screen for {code}: http://{settings.host}:{settings.port}/tablet#token={issued[code]}")
    for device in world.devices:  # the supervisors' and managers' dashboards (the policies' `review`)
        worker = world.worker_for_device(device.code)
        if worker is not None and world.policies.grants(worker.role, Permission.review):
            echo(f"Dashboard for {worker.name} ({device.code}, {worker.site}): "
                 f"http://{settings.host}:{settings.port}/dashboard#token={issued[device.code]}")


def run_stack(settings: Settings, echo: Echo = echo_stderr) -> None:
    """Start Rasa in the background (it takes ~30 s to load), the simulator beside it, and serve the app in the
    foreground; /health answers 503 until the database and Rasa are ready."""
    from server.app import create_app
    from server.launch.listen import Listeners

    if not settings.mqtt_url and not settings.embedded_mqtt_port:
        # The embedded broker's port is chosen now, so the simulator can be pointed at it before the app is up.
        settings = settings.model_copy(update={"embedded_mqtt_port": free_port()})
    children: list[ChildProcess | RasaServer] = []
    if settings.start_rasa:
        built, model = prepare_model(settings, echo)
        rasa = rasa_server(settings, built, model, echo)
        children.append(rasa)
        threading.Thread(target=_start_rasa, args=(rasa, settings, echo), name="rasa-start", daemon=True).start()
    else:
        echo(f"==> using the Rasa server at {settings.rasa_url} (FRONTLINE_START_RASA=false)")
    if settings.start_agv_sim:
        children.append(simulator(settings, echo).start())
    print_devices(settings, echo)
    echo(f"==> app on http://{settings.host}:{settings.port} (Rasa on {settings.rasa_url})")
    # uvicorn shuts down on SIGTERM and then raises the signal again with the handler found at start: make that
    # one an exit, so the children below are stopped rather than left running without their app.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        Listeners(create_app(settings), settings, echo).run()  # HTTP, and HTTPS for the LAN when it is on
    finally:
        for child in reversed(children):
            child.stop()


def check_workers(settings: Settings, workers: int) -> None:
    """Several app processes only on shared state and an external broker: each would otherwise keep its own devices'
    state and start its own embedded broker, and answer differently for the same device."""
    if workers < 1:
        raise ValueError("--workers: at least 1")
    if workers > 1 and not settings.state_url:
        raise ValueError("several app processes need shared device state: set FRONTLINE_STATE_URL=redis://…")
    if workers > 1 and not settings.mqtt_url:
        raise ValueError("several app processes need an external MQTT broker: set FRONTLINE_MQTT_URL=mqtt://…")
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        raise ValueError("several app processes need PostgreSQL: set FRONTLINE_DATABASE_URL=postgresql+psycopg://…")


def serve_app(settings: Settings, workers: int = 1, echo: Echo = echo_stderr) -> None:
    """`frontline serve`: the app alone, no Rasa and no simulator (they run elsewhere): one or several worker
    processes on `host:port`, each building its own services from the environment's settings."""
    import uvicorn

    check_workers(settings, workers)
    echo(f"==> app on http://{settings.host}:{settings.port}, {workers} worker(s); Rasa: "
         f"{', '.join(settings.effective_rasa_urls)}")
    uvicorn.run("server.app:create_app", factory=True, host=settings.host, port=settings.port, workers=workers,
                log_level="warning")


def serve_rasa(settings: Settings, port: int | None = None, echo: Echo = echo_stderr) -> None:
    """`frontline nlu serve`: one Rasa server in the foreground (one of several when scaled), with the configured
    tracker and lock stores, until stopped."""
    built, model = prepare_model(settings, echo)
    rasa = rasa_server(settings, built, model, echo, port=port)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with rasa:
        echo(f"==> Rasa on {rasa.url}" + (" (conversation lock in Redis)" if rasa.lock_store else ""))
        while rasa.running:
            time.sleep(1.0)
    raise RasaServerError(f"the Rasa server on {rasa.url} stopped; its log: {settings.var_dir / 'log'}")


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_rasa(rasa: RasaServer, settings: Settings, echo: Echo) -> None:
    try:
        rasa.start()
        echo(f"==> ready: http://{settings.host}:{settings.port}  (API docs at /docs)")
    except RasaServerError as error:
        echo(f"!! the Rasa server did not start: {error}")
