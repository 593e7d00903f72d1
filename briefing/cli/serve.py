"""`briefing serve` and `briefing keys …`: run the HTTP service and manage its API keys."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.cli.output import LIST_FORMAT, check_format, echo_json
from briefing.errors import ConfigError

if TYPE_CHECKING:
    from briefing.config import Settings


def get_settings() -> Settings:
    """The settings (briefing.config), imported on first use so other commands start without them."""
    from briefing.config import get_settings as read_settings

    return read_settings()


def check_bind(settings: Settings, host: str, *, public_ok: bool, keys_exist: bool) -> None:
    """Refuse to expose an unauthenticated server beyond this machine unless told it is intended."""
    from briefing.config import is_loopback

    if is_loopback(host) or keys_exist or public_ok or settings.allow_public_bind:
        return
    raise ConfigError(
        f"refusing to listen on {host} without API keys: anyone who can reach it could use it. "
        "Create a key (`briefing keys create NAME`), set BRIEFING_API_KEYS, or pass --i-know-its-public."
    )


def check_port(host: str, port: int) -> None:
    """Refuse, with a hint, a port another process already listens on (before any work starts).

    The probe binds like uvicorn does (SO_REUSEADDR), so a port it could use is never refused.
    """
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        message = f"cannot listen on {host}: {error.strerror}; check --host or BRIEFING_HOST"
        raise ConfigError(message) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}") from None
            raise ConfigError(
                f"port {port} on {host} is already in use; pick another with --port N or "
                f"BRIEFING_PORT=N (make run PORT=N)"
            ) from None


def app_from_env() -> Any:
    """The app factory each uvicorn worker process calls (settings and logging from the environment)."""
    from api.logs import configure_logging
    from api.main import create_app
    from api.server import configure

    settings = get_settings()
    configure_logging(settings)
    configure(settings)  # this worker's read deadline for slow clients
    return create_app(settings)


def _share_metrics() -> None:
    """Give the server processes one fresh Prometheus multiprocess directory, so `/metrics` from any
    of them reports the sum over all (set PROMETHEUS_MULTIPROC_DIR to choose it; it is emptied)."""
    import tempfile
    from pathlib import Path

    chosen = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # values of an earlier run must not add up with ours
            stale.unlink()
        return
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="briefing-metrics-")


def register(app: typer.Typer) -> None:
    """Add `serve` and the `keys` group to the main app."""

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
        port: Annotated[
            int | None, typer.Option(min=1, max=65535, help="Port (default BRIEFING_PORT or 8000).")
        ] = None,
        processes: Annotated[
            int | None,
            typer.Option(min=1, help="Server processes (default BRIEFING_PROCESSES or 1)."),
        ] = None,
        i_know_its_public: Annotated[
            bool, typer.Option("--i-know-its-public", help="Allow a non-loopback address without API keys.")
        ] = False,
        worker: Annotated[
            bool,
            typer.Option(
                "--worker/--no-worker",
                help="Run brief jobs and the digest scheduler in the server (default); "
                "--no-worker leaves them to `briefing worker` processes.",
            ),
        ] = True,
    ) -> None:
        """Serve the JSON API and the web page (SQLite + offline engine when nothing is configured)."""
        import uvicorn

        from api.logs import configure_logging
        from api.server import configure, server_config
        from briefing.store import open_store

        settings = get_settings()
        if not worker:
            os.environ["BRIEFING_WORKER_ENABLED"] = "false"  # for the processes uvicorn starts, too
            settings = settings.model_copy(update={"worker_enabled": False})
        host = host or settings.host
        port = port or settings.port
        # The bound address decides the default Host allow-list and whether directory targets
        # need BRIEFING_DELIVERY_DIRS; worker processes read it from the environment.
        settings = settings.model_copy(update={"host": host, "port": port})
        store = open_store(settings)
        try:
            keys_exist = bool(settings.api_keys) or store.has_api_keys()
        finally:
            store.close()
        check_bind(settings, host, public_ok=i_know_its_public, keys_exist=keys_exist)
        check_port(host, port)
        configure_logging(settings)
        processes = processes or settings.processes
        if processes > 1:
            # Jobs live in the database and are claimed atomically, so processes share the work;
            # the schema is already migrated above, before any worker starts.
            os.environ["BRIEFING_PROCESSES"] = str(processes)
            os.environ["BRIEFING_HOST"] = host
            _share_metrics()
            uvicorn.run(
                "briefing.cli.serve:app_from_env",
                factory=True,
                workers=processes,
                host=host,
                port=port,
                log_config=None,
                access_log=False,
                lifespan="on",
                http=configure(settings),  # slow clients are closed (BRIEFING_CLIENT_TIMEOUT)
            )
            return
        from api.main import create_app  # only here: the supervisor of several processes needs no app

        uvicorn.Server(server_config(settings, create_app(settings), host=host, port=port)).run()

    @app.command("worker")
    def worker_command(
        scheduler: Annotated[
            bool,
            typer.Option(
                "--scheduler/--no-scheduler",
                help="Also run the digest scheduler (schedules, feeds, deliveries).",
            ),
        ] = True,
    ) -> None:
        """Run brief jobs (and the digest scheduler) without an HTTP server, to scale work apart."""
        import asyncio

        from api.logs import configure_logging
        from briefing.services.worker import run_worker

        settings = get_settings()
        configure_logging(settings)
        asyncio.run(run_worker(settings, scheduler=scheduler))

    keys = typer.Typer(help="Manage API keys (stored hashed; a key is shown once, when created).")
    app.add_typer(keys, name="keys")

    @keys.command("create")
    def create(name: Annotated[str, typer.Argument(help="A label, e.g. who uses the key.")]) -> None:
        """Create a key and print it (once)."""
        from briefing.services.keys import check_key_name, create_key
        from briefing.store import open_store

        check_key_name(name)  # before the store is opened: nothing is made for a bad name
        store = open_store(get_settings())
        try:
            key, info = create_key(store, name)
        finally:
            store.close()
        typer.echo(key)
        typer.echo(
            f"created key {info.id} ({info.prefix}…) for {info.name!r}; store it now, it is not shown again",
            err=True,
        )

    @keys.command("list")
    def list_keys(output_format: LIST_FORMAT = "text") -> None:
        """List keys (id, prefix, name, state); never the keys themselves."""
        from briefing.store import open_store

        output_format = check_format(output_format, ("text", "json"))
        store = open_store(get_settings())
        try:
            if output_format == "json":
                echo_json(store.list_api_keys())
                return
            for info in store.list_api_keys():
                state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
                typer.echo(f"{info.id}\t{info.prefix}…\t{info.name}\t{state}")
        finally:
            store.close()

    @keys.command("revoke")
    def revoke(
        key: Annotated[
            str,
            typer.Argument(help="The key's id or prefix, or the start of either, as `keys list` shows it."),
        ],
    ) -> None:
        """Revoke a key; requests using it get 403 from then on."""
        from briefing.services.keys import revoke_key
        from briefing.store import open_store

        store = open_store(get_settings())
        try:
            info = revoke_key(store, key)
        finally:
            store.close()
        typer.echo(f"revoked {info.id} ({info.prefix}…)")
