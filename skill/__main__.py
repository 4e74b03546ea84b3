"""Command line: `python -m skill chat|web|serve|create-store|sync-model ...`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from skill import resources
from skill.persistence import SETTING

# The local chat is one stable runner between runs, so resuming can be tried out.
CHAT_USER = "amzn1.ask.account.LOCAL-CHAT-RUNNER"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill", description="Recovery Coach")
    commands = parser.add_subparsers(dest="command", required=True)

    chat_command = commands.add_parser(
        "chat", help="talk to the skill in text, with no Amazon account"
    )
    chat_command.add_argument("--json", action="store_true", help="print one JSON object per turn")
    add_locale(chat_command, "the locale to talk in")
    chat_command.add_argument(
        "--user", default=CHAT_USER, help="the Alexa user id to talk as (progress is kept per user)"
    )
    add_store(chat_command)

    web_command = commands.add_parser(
        "web", help="try the skill in a browser: a local page that behaves like an Echo Show"
    )
    web_command.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this computer only)"
    )
    web_command.add_argument("--port", type=int, default=8000, help="port to listen on")
    add_locale(web_command, "the page's first locale (the page can switch)")
    web_command.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the page may be reached by (with --host on a network address)",
    )
    add_store(web_command)
    web_command.add_argument(
        "--screenshots",
        metavar="FOLDER",
        help="save screenshots of the page at three sizes into FOLDER (needs Playwright and "
        "Chromium), then exit",
    )

    serve_command = commands.add_parser("serve", help="run the skill as an Alexa web service")
    serve_command.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_command.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve_command.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip Alexa request verification (local testing only)",
    )
    serve_command.add_argument(
        "--listen-fd",
        type=int,
        metavar="FD",
        help="serve on this inherited, already listening socket instead of --host/--port",
    )

    commands.add_parser(
        "create-store",
        help="create the SKILL_DB store: the SQLite file, or the DynamoDB table (on-demand)",
    )

    sync_command = commands.add_parser(
        "sync-model",
        help="generate the interaction models from the sentence templates and remedy data",
    )
    sync_command.add_argument(
        "--locale", action="append", choices=resources.locales(), metavar="LOCALE",
        help="only this locale (repeatable)",
    )  # fmt: skip

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if getattr(args, "db", None):
        os.environ[SETTING] = args.db  # before the skill is built
    if args.command == "chat":
        from skill.simulator.chat import run_chat
        from skill.simulator.device import SimulatedDevice

        device = SimulatedDevice(locale=args.locale, user_id=args.user)
        return run_chat(locale=args.locale, as_json=args.json, device=device)
    if args.command == "web":
        if args.screenshots:
            from pathlib import Path

            from skill.web.browser import take_screenshots

            for path in take_screenshots(Path(args.screenshots), args.locale):
                print(path)
            return 0
        from skill.web.server import serve as serve_page

        return serve_page(args.host, args.port, args.locale, args.allow_host)
    if args.command == "serve":
        from skill.server import serve

        return serve(args.host, args.port, args.verify, listen_fd=args.listen_fd)
    if args.command == "create-store":
        from skill.persistence import store_from_url

        store = store_from_url(os.environ.get(SETTING))
        if store is None:
            print(f"{SETTING}=none: there is no store to create")
            return 0
        store.create()  # type: ignore[attr-defined]
        print(f"{SETTING}={os.environ.get(SETTING) or '(default)'}: ready")
        return 0
    if args.command == "sync-model":
        from skill.conflicts import AmbiguousSamples
        from skill.interaction_model import model_locales, write_model

        for locale in args.locale or model_locales():
            try:
                changed = write_model(locale)
            except AmbiguousSamples as error:
                print(f"{locale}: not written. {error}", file=sys.stderr)
                return 1
            print(f"{locale}: {'updated' if changed else 'already in step'}")
        return 0
    return 2


def add_locale(command: argparse.ArgumentParser, what: str) -> None:
    locales = resources.locales()
    command.add_argument(
        "--locale",
        default=resources.DEFAULT_LOCALE,
        choices=locales,
        metavar="LOCALE",
        help=f"{what}: {', '.join(locales)} (default {resources.DEFAULT_LOCALE})",
    )


def add_store(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", help="the progress store, as in SKILL_DB (default: SKILL_DB)")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader went away (`... | head`): no traceback, as Python's
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # docs advise
        sys.exit(1)
