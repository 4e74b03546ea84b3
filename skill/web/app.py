"""The page's Flask app: the HTML, and small same-origin JSON endpoints that act as a device.

Each page load opens the skill in a new session (`POST /api/open`), as "Alexa, open ..."
does; the runner is one user id per browser, kept in a cookie, so a reload mid-routine
is reopening the skill and gets the welcome back from the stored progress (SKILL_DB).

Safe by default: every request's Host header must name this server (no DNS rebinding),
the JSON endpoints take same-origin requests only, and every answer carries a strict
Content-Security-Policy; the page loads nothing from anywhere else.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import shutil
import subprocess
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from skill import resources, screens
from skill.simulator.device import echo_show  # the one door into the simulator

RUNNER_COOKIE = "runner"
MAX_BODY_BYTES = 16 * 1024
MAX_TEXT = 500  # characters in one typed line
MAX_PAGES = 64  # open pages kept; the oldest is forgotten first
PAGE_ID_BYTES = 18

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@cache
def page_words(locale: str) -> dict[str, str]:
    """The page's own few words (labels, buttons) in the locale's language."""
    path = resources.find(resources.responses_dir(), locale, "web.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def locale_names() -> dict[str, str]:
    """Every supported locale, by the name its locale.toml gives it."""
    names = {}
    for locale in resources.locales():
        text = (resources.responses_dir() / locale / resources.LOCALE_FILE).read_text("utf-8")
        names[locale] = str(tomllib.loads(text).get("name", locale))
    return names


def turn_json(turn: Any) -> dict[str, Any]:
    """What the page needs from one answer: the words, the card, and the screen's data."""
    return {
        **turn.as_json(),
        "screen": screen_of(turn.directives),
    }


def screen_of(directives: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The screen an answer shows: the name of its APL document and the data bound into it."""
    for directive in directives:
        token = str(directive.get("token") or "")
        if directive.get("type") != "Alexa.Presentation.APL.RenderDocument":
            continue
        if not token.startswith(screens.TOKEN_PREFIX):
            continue
        name = token.removeprefix(screens.TOKEN_PREFIX)
        payload = (directive.get("datasources") or {}).get("payload") or {}
        if name in payload:
            return {"name": name, "data": payload[name]}
    return None


# Voices --------------------------------------------------------------------------------


@cache
def espeak() -> str | None:
    return shutil.which("espeak-ng")


@cache
def espeak_voices() -> frozenset[str]:
    program = espeak()
    if program is None:
        return frozenset()
    listing = subprocess.run(
        [program, "--voices"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    return frozenset(line.split()[1] for line in listing.splitlines()[1:] if len(line.split()) > 1)


def espeak_voice(locale: str) -> str:
    """espeak-ng's voice for the locale (en-gb, en-us), else its language's (de, en)."""
    return locale.lower() if locale.lower() in espeak_voices() else locale.split("-")[0]


def speak_offline(text: str, locale: str) -> bytes:
    """WAV audio of the text, made on this machine by espeak-ng (the text on its stdin)."""
    program = espeak()
    if program is None:
        raise FileNotFoundError("espeak-ng")
    result = subprocess.run(
        [program, "-v", espeak_voice(locale), "--stdout", "--stdin"],
        input=text.encode("utf-8"), capture_output=True, timeout=30, check=True,
    )  # fmt: skip
    return result.stdout


# Pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    """One open page: a device in a session, for one runner."""

    runner: str
    locale: str
    device: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    silences: int = 0
    said: dict[str, str] = field(default_factory=dict)  # what the coach said last, to voice

    def answered(self, turn: Any) -> dict[str, Any]:
        self.silences = 0
        self.said = {"speech": turn.speech or "", "reprompt": turn.reprompt or ""}
        return turn_json(turn)


class Pages:
    """The open pages, by an unguessable id; the oldest go first once there are too many."""

    def __init__(self, limit: int = MAX_PAGES) -> None:
        self.limit = limit
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, runner: str, locale: str) -> tuple[str, Page]:
        page = Page(runner, locale, echo_show(locale, f"amzn1.ask.account.web-{runner}"))
        page_id = secrets.token_urlsafe(PAGE_ID_BYTES)
        with self._lock:
            self._pages[page_id] = page
            while len(self._pages) > self.limit:
                self._pages.popitem(last=False)
        return page_id, page

    def get(self, page_id: object, runner: str) -> Page:
        with self._lock:
            page = self._pages.get(page_id) if isinstance(page_id, str) else None
        if page is None or page.runner != runner:
            abort(410, "expired")
        return page


# The app -------------------------------------------------------------------------------

STATIC = Path(__file__).with_name("static")


def create_app(locale: str = resources.DEFAULT_LOCALE, hosts: Iterable[str] = ()) -> Flask:
    """The page's app. `hosts`: the Host header values it answers (name:port); the server
    sets them once it knows its port (`app.config["HOSTS"]`)."""
    if locale not in resources.locales():
        raise ValueError(f"unknown locale {locale}: {', '.join(resources.locales())}")
    # The page's few static files are read once and served from memory: werkzeug's
    # development server can leave a file it was sending open when the browser goes away
    # mid-response (a ResourceWarning, and a handle held until collected).
    assets = {path.name: path.read_bytes() for path in STATIC.iterdir() if path.is_file()}
    app = Flask(__name__, static_folder=None, template_folder="templates")
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, HOSTS=set(hosts), LOCALE=locale)
    pages = Pages()

    @app.before_request
    def only_this_host() -> None:
        if request.host.lower() not in app.config["HOSTS"]:
            abort(421, "unknown host")
        if request.method != "GET" and not same_origin():
            abort(403, "same-origin requests only")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "microphone=(self), camera=(), geolocation=()"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/static/<filename>", endpoint="static")
    def static_file(filename: str) -> Response:
        if filename not in assets:
            abort(404, "not found")
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return Response(assets[filename], mimetype=kind)

    @app.errorhandler(HTTPException)
    def refused(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.description or error.name), error.code or 400

    @app.get("/")
    def index() -> Response:
        chosen = request.args.get("locale") or app.config["LOCALE"]
        if chosen not in resources.locales():
            abort(404, "unknown locale")
        words = page_words(chosen)
        data = {
            "locale": chosen,
            "words": words,
            "offlineVoice": espeak() is not None,
        }
        html = render_template(
            "page.html",
            locale=chosen,
            lang=chosen,
            words=words,
            locales=locale_names(),
            page_data=json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
        )
        response = Response(html, mimetype="text/html")
        if not valid_runner(request.cookies.get(RUNNER_COOKIE)):
            response.set_cookie(
                RUNNER_COOKIE, secrets.token_urlsafe(18), max_age=365 * 24 * 3600,
                httponly=True, samesite="Strict", path="/",
            )  # fmt: skip
        return response

    @app.post("/api/open")
    def open_skill() -> Response:
        body = json_body()
        chosen = body.get("locale")
        if chosen not in resources.locales():
            abort(400, "unknown locale")
        page_id, page = pages.open(runner(), chosen)
        with page.lock:
            turn = page.device.launch()
            return jsonify(page=page_id, turn=page.answered(turn))

    @app.post("/api/say")
    def say() -> Response:
        body = json_body()
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            abort(400, f"text: 1 to {MAX_TEXT} characters")
        page = pages.get(body.get("page"), runner())
        with page.lock:
            turn = page.device.say(text.strip())
            return jsonify(turn=page.answered(turn) if turn is not None else None)

    @app.post("/api/tap")
    def tap() -> Response:
        body = json_body()
        arguments = body.get("arguments")
        if not (
            isinstance(arguments, list)
            and 0 < len(arguments) <= 4
            and all(isinstance(a, str | int) and len(str(a)) <= 40 for a in arguments)
        ):
            abort(400, "arguments: a short list of strings and numbers")
        page = pages.get(body.get("page"), runner())
        with page.lock:
            return jsonify(turn=page.answered(page.device.tap(*arguments)))

    @app.post("/api/quiet")
    def quiet() -> Response:
        """The runner says nothing: Alexa says the reprompt, then closes the session."""
        body = json_body()
        page = pages.get(body.get("page"), runner())
        with page.lock:
            if not page.device.in_session:
                return jsonify(reprompt=None, turn=None)
            if page.silences == 0 and page.said.get("reprompt"):
                page.silences = 1
                return jsonify(reprompt=page.said["reprompt"], turn=None)
            from ask_sdk_model import SessionEndedReason

            turn = page.device.end_session(SessionEndedReason.EXCEEDED_MAX_REPROMPTS)
            page.silences = 0
            return jsonify(reprompt=None, turn=turn_json(turn))

    @app.post("/api/forget")
    def forget() -> Response:
        """What "forget my progress" does: the same intent, as Alexa would send it."""
        page = pages.get(json_body().get("page"), runner())
        with page.lock:
            return jsonify(turn=page.answered(page.device.intent("ForgetProgressIntent")))

    @app.post("/api/voice")
    def voice() -> Response:
        """The last answer (or its reprompt), spoken offline by espeak-ng, as WAV."""
        body = json_body()
        part = body.get("part")
        if part not in ("speech", "reprompt"):
            abort(400, "part: speech or reprompt")
        if espeak() is None:
            abort(404, "espeak-ng is not installed")
        page = pages.get(body.get("page"), runner())
        text = page.said.get(part, "")
        if not text:
            abort(404, "nothing to say")
        try:
            audio = speak_offline(text, page.locale)
        except (OSError, subprocess.SubprocessError):
            abort(503, "espeak-ng failed")
        return Response(audio, mimetype="audio/wav")

    def same_origin() -> bool:
        """A browser says where a request comes from; only this page's own are taken."""
        origin = request.headers.get("Origin")
        site = request.headers.get("Sec-Fetch-Site")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return False
        if site is not None and site != "same-origin":
            return False
        return origin is not None or site is not None

    def json_body() -> dict[str, Any]:
        if not request.is_json:
            abort(415, "JSON only")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, "a JSON object, please")
        return body

    def runner() -> str:
        value = request.cookies.get(RUNNER_COOKIE)
        if not valid_runner(value):
            abort(403, "no runner cookie: reload the page")
        assert value is not None
        return value

    return app


def valid_runner(value: str | None) -> bool:
    return (
        value is not None
        and 16 <= len(value) <= 64
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    )
