"""Gunicorn settings for the Recovery Coach web service, for operators who run gunicorn
directly rather than `python -m skill serve` (which uses the same settings):

    gunicorn -c deploy/gunicorn.conf.py 'skill.webservice:create_app()'

Set BIND (default 0.0.0.0:8080), WEB_CONCURRENCY (workers) and WEB_THREADS as needed.
Request verification is always on this way; put TLS in front (see the README).
"""

import logging
import os

from skill.server import GUNICORN_SETTINGS, LOG_FORMAT

globals().update(GUNICORN_SETTINGS)
bind = os.environ.get("BIND", "0.0.0.0:8080")
logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
