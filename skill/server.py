"""`python -m skill serve`: the web service under waitress, configured for Alexa.

Why waitress: one I/O thread reads every connection without blocking and hands a thread
only a request that has arrived whole, so clients that send slowly hold a socket, never a
thread; it bounds the request line and headers, the body (announced or chunked), the
connections open at once (and stops accepting at that bound rather than failing), and
closes connections that have been silent for a while. All of that is its own documented
settings: nothing here reaches into it. What is set here:

- the connection limit, below the process's file-descriptor limit (what is left is for
  the store, certificate downloads and logs), so `accept` never meets EMFILE because of
  connections (if it meets it anyway, waitress logs it and carries on);
- poll() rather than select(), which cannot watch a descriptor numbered over 1023;
- a short listen backlog, which bounds the parsing a flood can queue ahead of others;
- the body limit the app enforces too (128 KiB), and 16 KiB of request line and headers.

SERVER_SETTINGS is the one place these live.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import sys
from collections.abc import Callable
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Descriptors kept back from connections: SQLite (a database, its WAL and shared memory
# per thread), certificate downloads, the log, the listening socket, waitress's wake-up pipe.
RESERVED_FDS = 64
MAX_HEADER_BYTES = 16 * 1024


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def connection_limit(wanted: int) -> int:
    """`wanted`, lowered to stay under this process's file-descriptor limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_FDS))


def server_settings() -> dict[str, Any]:
    """waitress's adjustments for this service (read from the environment when called)."""
    from skill.webservice import MAX_BODY_BYTES

    return {
        # Threads for whole requests only: a request mostly waits (on the store, or on
        # Amazon's certificate the first time); waitress queues the rest in order.
        "threads": _setting("WEB_THREADS", 8),
        # Open connections at once, idle and slow ones included; past it, new ones wait
        # in the listen backlog until one closes.
        "connection_limit": connection_limit(_setting("WEB_CONNECTIONS", 500)),
        # A connection silent this long (between requests or inside one) is closed;
        # checked every second.
        "channel_timeout": _setting("WEB_IDLE_TIMEOUT", 10),
        "cleanup_interval": 1,
        # waitress refuses a body of this size or more: 128 KiB is still accepted. A
        # chunked body counts its framing too.
        "max_request_body_size": MAX_BODY_BYTES + 1,
        "max_request_header_size": MAX_HEADER_BYTES,
        "asyncore_use_poll": True,
        # Connections the kernel may complete and fill with bytes before waitress
        # accepts them. waitress decodes a chunked body in its one I/O thread at about
        # 400 ns a byte when the chunks are one byte long (2-2.5 MiB/s on a busy core,
        # against hundreds of MiB/s for a body with a length), so every queued connection
        # can carry up to 128 KiB of such framing: with 1024 of them a 5-second burst from
        # one client left over a minute of parsing queued ahead of the next request. At
        # 16 what a burst leaves behind is parsed within a few seconds; past it the kernel
        # drops the new connection's SYN and the client retries (after 1 s, then 3 s).
        "backlog": _setting("WEB_BACKLOG", 16),
        # Nothing of the stack goes to a client; the app logs one line a request.
        "expose_tracebacks": False,
        "ident": "recovery-coach",
    }


def configure_logging() -> None:
    """One line per event on standard error, each capped and escaped (skill.logs)."""
    from skill import logs

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr, force=True)
    logs.install()


def serve(
    host: str,
    port: int,
    verify: bool,
    app_factory: Callable[[], Any] | None = None,
    listen_fd: int | None = None,
) -> int:
    """Run until stopped. `app_factory` builds the app (tests and the benchmark bring their
    own); `listen_fd` is a socket already bound and listening (inherited from a supervisor
    or a test), used instead of binding `host` and `port`."""
    from waitress import create_server

    from skill.webservice import MissingSkillId, configured_skill_id, create_app

    configure_logging()
    if verify:
        try:
            configured_skill_id()
        except MissingSkillId as missing:
            print(f"error: {missing}", file=sys.stderr, flush=True)
            return 2
    else:
        warning = (
            "REQUEST VERIFICATION IS OFF (--no-verify): anyone who can reach this port can "
            "drive the skill. Use this only on your own machine, never behind a public endpoint."
        )
        print(f"\n!!! {warning}\n", file=sys.stderr, flush=True)
        logging.getLogger("skill.webservice").warning(warning)

    app = app_factory() if app_factory else create_app(verify=verify)
    where: dict[str, Any]
    if listen_fd is not None:
        where = {"sockets": [socket.socket(fileno=listen_fd)]}
    else:
        where = {"host": host, "port": port}
    server = create_server(app, **where, **server_settings())
    server.print_listen("serving on http://{}:{}")
    server.run()
    return 0
