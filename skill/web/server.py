"""Serving the page: werkzeug's threaded server, on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import Iterable

from werkzeug.serving import BaseWSGIServer, make_server

from skill import resources
from skill.web.app import create_app

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> set[str]:
    """The Host header values the page answers: the bound address and loopback's names,
    with the port (and without it on port 80), so a rebound DNS name is refused."""
    names = {*LOOPBACK_NAMES, *extra}
    if host not in ("0.0.0.0", "::"):
        names.add(f"[{host}]" if ":" in host else host)
    hosts = {f"{name.lower()}:{port}" for name in names}
    if port == 80:
        hosts |= {name.lower() for name in names}
    return hosts


def make_page_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    locale: str = resources.DEFAULT_LOCALE,
    extra_hosts: Iterable[str] = (),
) -> BaseWSGIServer:
    """The server, bound (port 0 picks a free one: read `server_port`), not yet serving."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app(locale)
    server = make_server(host, port, app, threaded=True)
    app.config["HOSTS"] = allowed_hosts(host, server.server_port, extra_hosts)
    return server


def url_of(server: BaseWSGIServer) -> str:
    host = server.host
    if host in ("0.0.0.0", "::") or not host:
        host = "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{server.server_port}/"


def serve(
    host: str, port: int, locale: str, extra_hosts: Iterable[str] = ()
) -> int:  # pragma: no cover - runs until interrupted
    if not is_loopback(host):
        print(
            "\n".join(
                [
                    "!" * 78,
                    f"!! WARNING: the page is listening on {host}, not only on this computer.",
                    "!! Anyone who can reach this address can talk to the skill as you,",
                    "!! read and delete your progress. There is no login and no TLS.",
                    "!! Use --host 127.0.0.1 (the default) unless you mean this. Requests must",
                    "!! name this address or a --allow-host NAME in their Host header.",
                    "!" * 78,
                ]
            ),
            file=sys.stderr,
        )
    server = make_page_server(host, port, locale, extra_hosts)
    print(f"Recovery Coach in a browser: open {url_of(server)}  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
