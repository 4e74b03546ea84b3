"""`python -m skill serve`: the web service under gunicorn, configured for Alexa.

GUNICORN_SETTINGS is the one place the production settings live; deploy/gunicorn.conf.py
reads them too, for operators who start gunicorn themselves.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

GUNICORN_SETTINGS: dict[str, Any] = {
    # Two processes with a few threads each: a request is mostly waiting (on the store,
    # or on Amazon's certificate the first time), and two cores are the usual host.
    # The worker is gunicorn's threaded one with a non-blocking reading front: threads
    # only get whole requests, so slow clients cannot hold them (skill/reading_worker.py).
    "workers": int(os.environ.get("WEB_CONCURRENCY", "2")),
    "worker_class": "skill.reading_worker.ReadingWorker",
    "threads": int(os.environ.get("WEB_THREADS", "4")),
    # Connections per worker, slow ones included: each costs a socket and a buffer.
    "worker_connections": 1000,
    # Alexa gives up after 8 seconds: a worker silent for longer than this is stuck.
    "timeout": 20,
    "graceful_timeout": 10,
    "keepalive": 5,
    # Header limits well under gunicorn's defaults; the body limit is the app's (128 KiB).
    "limit_request_line": 2048,
    "limit_request_fields": 50,
    "limit_request_field_size": 8190,
    # Recycle workers now and then, so nothing can grow without bound.
    "max_requests": 20000,
    "max_requests_jitter": 2000,
    # The app logs one structured line a request; gunicorn's access log would repeat it.
    "accesslog": None,
    "errorlog": "-",
    "loglevel": "info",
}

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def serve(host: str, port: int, verify: bool, app_factory: Callable[[], Any] | None = None) -> int:
    """Run until stopped. `app_factory` builds each worker's app (tests bring their own)."""
    from gunicorn.app.base import BaseApplication

    from skill.webservice import MissingSkillId, configured_skill_id, create_app

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr, force=True)
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

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {**GUNICORN_SETTINGS, "bind": [f"{host}:{port}"]}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory() if app_factory else create_app(verify=verify)

    Server().run()
    return 0
