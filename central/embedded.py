"""Run the central service inside this process, on a free loopback port, for ``kiosk demo`` and tests.

    with embedded.start(data_dir) as service:
        requests.get(service.url + "/health")
        headers = {"Authorization": f"Bearer {service.kiosk_token}"}

The database is migrated and seeded first; a kiosk and a staff account are (re-)keyed on every start.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from central import accounts, catalog, db
from central.settings import Settings


@dataclass
class EmbeddedCentral:
    url: str
    kiosk_token: str
    staff_token: str
    settings: Settings
    app: object = field(repr=False)
    _server: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)

    @property
    def running(self) -> bool:
        return self._server is not None

    def start_again(self) -> None:
        """After ``stop``: serve again on the same port and database, with the same tokens."""
        if self._server is None:
            port = int(self.url.rsplit(":", 1)[1])
            self._server, self._thread, url, self.app = serve_in_thread(self.settings, port=port)
            assert url == self.url

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None:
            return
        lobby = getattr(getattr(self.app, "state", None), "lobby", None)
        if lobby is not None:
            # End the lobby displays' event streams first: the server waits for open connections to
            # close before it stops, and a stream would hold it (signals do this for `central serve`).
            lobby.close()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None

    def __enter__(self) -> "EmbeddedCentral":
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def prepare(settings: Settings, center: str | None = None) -> None:
    """Migrate and seed the database of ``settings``."""
    db.migrate(settings.db_url)
    database = db.Database(settings.db_url)
    try:
        catalog.seed(database, center or settings.default_center)
    finally:
        database.dispose()


def serve_in_thread(settings: Settings, host: str = "127.0.0.1", port: int = 0, app=None):
    """Start uvicorn for ``settings`` in a daemon thread; returns (server, thread, url, app)."""
    import uvicorn

    from central.app import create_app

    app = app or create_app(settings)
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on sockets that say so, and without it
    # every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="central-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the embedded central service did not start")
        time.sleep(0.01)
    bound_port = sock.getsockname()[1]
    return server, thread, f"http://{host}:{bound_port}", app


def start(data_dir: Path | str | None = None, *, settings: Settings | None = None, port: int = 0,
          kiosk_name: str = "embedded-kiosk", staff_name: str = "embedded-staff") -> EmbeddedCentral:
    if settings is None:
        if data_dir is None:
            raise ValueError("give a data_dir or settings")
        settings = Settings(data_dir=Path(data_dir))
    prepare(settings)
    database = db.Database(settings.db_url)
    try:
        kiosk_token = accounts.add_account(database, "kiosk", kiosk_name, settings.default_center, rotate=True)
        staff_token = accounts.add_account(database, "staff", staff_name, settings.default_center, rotate=True)
    finally:
        database.dispose()
    server, thread, url, app = serve_in_thread(settings, port=port)
    return EmbeddedCentral(url=url, kiosk_token=kiosk_token, staff_token=staff_token, settings=settings,
                           app=app, _server=server, _thread=thread)
