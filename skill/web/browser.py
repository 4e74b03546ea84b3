"""Driving the page in a real browser (Playwright and the system's Chromium): the
screenshots in docs/, and the same launch the browser tests use.

Playwright is a development tool (the `dev` extra); it drives the Chromium installed on
the machine (`/usr/bin/chromium` on Debian, or CHROMIUM=path) and never downloads one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skill import resources

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The three windows the page is made for: a small round hub, a landscape hub, a phone.
VIEWPORTS = {
    "round-hub": {"width": 480, "height": 480},
    "landscape-hub": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise SystemExit(
            "No Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM."
        )
    return found


def launch(playwright: Any) -> Any:
    """Headless Chromium, the machine's own, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@contextmanager
def running_page(locale: str = resources.DEFAULT_LOCALE) -> Iterator[str]:
    """The page served on a free loopback port in a thread; yields its URL."""
    from skill.web.server import make_page_server, url_of

    server = make_page_server("127.0.0.1", 0, locale)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def take_screenshots(folder: Path, locale: str = resources.DEFAULT_LOCALE) -> list[Path]:
    """The page at each size, a few turns into the routine, as PNGs in `folder`.

    Progress goes to a throwaway store (SKILL_DB is set before the skill is built), so the
    pictures are the same on every machine and nobody's own progress is touched."""
    store = Path(tempfile.mkdtemp(prefix="recovery-coach-screenshots-"))
    os.environ["SKILL_DB"] = f"sqlite:///{store / 'progress.db'}"
    from playwright.sync_api import sync_playwright

    from skill.simulator.nlu import load_builtin
    from skill.web.app import page_words

    yes = load_builtin(locale)["intents"]["AMAZON.YesIntent"][0]
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    try:
        with running_page(locale) as url, sync_playwright() as playwright:
            browser = launch(playwright)
            for name, size in VIEWPORTS.items():
                context = browser.new_context(viewport=size, device_scale_factor=1)
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("body[data-answered='1']")
                page.fill("#say", yes)
                page.press("#say", "Enter")
                page.wait_for_selector("body[data-answered='2']")
                page.get_by_role("region", name=page_words(locale)["screen"]).locator(
                    "[data-field=next]"
                ).click()
                page.wait_for_selector("body[data-answered='3']")
                page.evaluate("window.scrollTo(0, 0)")
                path = folder / f"web-{name}.png"
                page.screenshot(path=str(path))
                made.append(path)
                context.close()
            browser.close()
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return made
