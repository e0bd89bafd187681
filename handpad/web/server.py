"""Running the app with uvicorn: on a socket bound first (a taken port is a clear error, port 0 gets a
free one), in the foreground (``handpad serve``) or in a background thread (tests and benchmarks)."""
from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time

import uvicorn

from ..errors import HandpadError


def is_loopback(host: str) -> bool:
    """True for an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket (``port`` 0: a free one, see ``getsockname()``)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        raise HandpadError(f"cannot listen on {host} port {port}: {e.strerror or e}") from None
    return sock


def server_for(app) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))


@contextlib.contextmanager
def serving_in_thread(app, timeout: float = 30.0):
    """Serve ``app`` on a free loopback port from a background thread; yields its base URL
    (``http://127.0.0.1:PORT``) and stops the server on exit."""
    sock = listen("127.0.0.1", 0)
    server = server_for(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="handpad-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
