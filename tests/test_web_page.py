"""The browser page (`python -m skill web`) in a real browser: Debian's Chromium driven by
Playwright, against the page served on a free loopback port in a thread.

What is typed comes from each locale's data (Alexa's built-in yes, the model's own
samples), and what must be seen and heard from the templates and screen data, so these
checks hold in any language."""

from __future__ import annotations

import http.client
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skill import screens
from skill.content import content_for
from skill.interaction_model import load_model
from skill.simulator.nlu import load_builtin
from skill.web.app import page_words
from skill.web.browser import VIEWPORTS, launch, running_page

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists() and not shutil.which("chromium"):
    pytest.skip("no Chromium (apt-get install chromium)", allow_module_level=True)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")

# A speech engine that only writes down what it is asked to say, and in which language.
FAKE_SPEECH = """
(() => {
  const spoken = [];
  window.__spoken = spoken;
  const voice = () => ({ lang: document.documentElement.lang, name: "recording", default: true });
  Object.defineProperty(window, "speechSynthesis", {
    configurable: true,
    value: {
      speaking: false, pending: false, paused: false,
      speak(utterance) { spoken.push({ text: utterance.text, lang: utterance.lang }); },
      cancel() {}, pause() {}, resume() {},
      getVoices() { return [voice()]; },
      addEventListener() {}, removeEventListener() {},
    },
  });
})();
"""

# A recognizer that hears `heard` (or fails with `failure`), as Chrome's would.
FAKE_RECOGNIZER = """
(([heard, failure]) => {
  class FakeRecognition {
    start() {
      setTimeout(() => {
        if (failure) { this.onerror?.({ error: failure }); this.onend?.(); return; }
        this.onstart?.();
        window.__micOpen = true;
      }, 0);
    }
    stop() {
      setTimeout(() => {
        this.onresult?.({ results: [[{ transcript: heard }]] });
        this.onend?.();
      }, 0);
    }
  }
  window.SpeechRecognition = FakeRecognition;
  window.webkitSpeechRecognition = FakeRecognition;
})
"""


# What the skill says and shows, from its own data ------------------------------------------


def first_sentence(locale: str, kind: str, number: int | None = None) -> str:
    content = content_for(locale)
    at = {
        "number": number,
        "total": content.total,
        "remedy": content.remedy_at(number) if number else None,
        "next": content.remedy_at((number or 0) + 1) if (number or 0) < content.total else None,
    }
    rendered = content.speech.render(kind, at=at, offer=None, variant=0)
    from skill.speech import ssml_to_text

    return _SENTENCE.split(ssml_to_text(rendered.speech))[0]


def sample(locale: str, intent: str) -> str:
    """The first of the model's own samples for the intent that has no slot."""
    language = load_model(locale)["interactionModel"]["languageModel"]
    (samples,) = [i["samples"] for i in language["intents"] if i["name"] == intent]
    return next(text for text in samples if "{" not in text)


def yes(locale: str) -> str:
    return str(load_builtin(locale)["intents"]["AMAZON.YesIntent"][0])


def step_screen(locale: str, number: int) -> dict[str, Any]:
    content = content_for(locale)
    words = screens.ScreenWords.for_locale(locale)
    return screens.step_data(words, content.remedies, number)["step"]


def why_screen(locale: str, number: int) -> dict[str, Any]:
    content = content_for(locale)
    words = screens.ScreenWords.for_locale(locale)
    return screens.why_data(words, content.remedy_at(number))["why"]


# The page in a browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running_page() as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Visit:
    """One browser (its own cookie: one runner) on the page, counting answers."""

    def __init__(self, browser: Any, url: str, locale: str, viewport: str = "landscape-hub"):
        self.locale = locale
        self.url = f"{url}?locale={locale}"
        self.context = browser.new_context(viewport=VIEWPORTS[viewport])
        self.context.add_init_script(FAKE_SPEECH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.words = page_words(locale)
        self.answered = 0

    def open(self) -> Visit:
        self.page.goto(self.url)
        self.answered = 0
        self.wait()
        return self

    def wait(self) -> None:
        self.answered += 1
        self.page.wait_for_selector(f"body[data-answered='{self.answered}']")

    def type(self, text: str) -> None:
        self.page.get_by_role("textbox").fill(text)
        self.page.get_by_role("textbox").press("Enter")
        self.wait()

    def press(self, label: str) -> None:
        self.page.get_by_role("button", name=label, exact=True).click()
        self.wait()

    @property
    def screen(self) -> Any:
        return self.page.get_by_role("region", name=self.words["screen"])

    def shown(self, name: str) -> str:
        return str(self.screen.locator(f"[data-field={name}]").text_content())

    def said(self) -> list[str]:
        """What the coach said, in the log, in order."""
        return [
            str(t) for t in self.page.locator("[role=log] .entry.coach .said").all_text_contents()
        ]

    def spoken(self) -> list[dict[str, str]]:
        return self.page.evaluate("window.__spoken")  # type: ignore[no-any-return]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, url: str, locale: str) -> Iterator[Visit]:
    opened = Visit(browser, url, locale)
    yield opened
    opened.close()
    assert opened.errors == [], "console errors"


# The checks ---------------------------------------------------------------------------------


def test_the_page_opens_with_the_welcome_and_yes_starts_the_steps(
    visit: Visit, locale: str
) -> None:
    visit.open()
    assert visit.page.locator("html").get_attribute("lang") == locale
    welcome = first_sentence(locale, "welcome")
    assert welcome in visit.said()[0]

    visit.type(yes(locale))
    runner_lines = visit.page.locator("[role=log] .entry.runner .said").all_text_contents()
    assert runner_lines == [yes(locale)]
    assert visit.said()[-1].startswith(first_sentence(locale, "step", 1))
    expected = step_screen(locale, 1)
    for name in ("label", "title", "text", "hint", "back", "next"):
        assert visit.shown(name) == expected[name], name
    fill = visit.screen.locator(".progress .fill")
    assert fill.evaluate("e => e.style.width") == expected["progress"]
    assert visit.screen.locator(f"text={first_sentence(locale, 'step', 1)}").count() == 0, (
        "the screen shows the screen data, not the speech"
    )


def test_taps_and_why_change_the_screen_and_a_reload_welcomes_back(
    visit: Visit, locale: str
) -> None:
    visit.open()
    visit.type(yes(locale))
    visit.screen.get_by_role("button", name=step_screen(locale, 1)["next"], exact=True).click()
    visit.wait()
    assert visit.shown("label") == step_screen(locale, 2)["label"]
    assert visit.shown("title") == step_screen(locale, 2)["title"]
    assert visit.said()[-1].startswith(first_sentence(locale, "step", 2))

    visit.type(sample(locale, "WhyIntent"))
    assert visit.screen.locator("[data-screen=why]").count() == 1
    for name in ("label", "title", "text", "next"):
        assert visit.shown(name) == why_screen(locale, 2)[name], name

    visit.page.reload()
    visit.answered = 0
    visit.wait()
    (again,) = visit.said()
    assert first_sentence(locale, "welcome") not in again, "a reload is reopening: welcome back"
    assert visit.shown("label") == step_screen(locale, 2)["label"], "back where the runner was"


def test_each_answer_is_spoken_once_in_the_locales_language(visit: Visit, locale: str) -> None:
    visit.open()
    visit.type(yes(locale))
    visit.screen.locator("[data-field=next]").click()
    visit.wait()
    spoken = visit.spoken()
    assert [s["text"] for s in spoken] == visit.said()
    assert {s["lang"] for s in spoken} == {locale}
    assert len(spoken) == 3

    visit.page.get_by_role("button", name=visit.words["mute"], exact=True).click()  # no request
    visit.type(sample(locale, "WhyIntent"))
    assert len(visit.spoken()) == 3, "muted: nothing more is said"


def test_silence_gets_the_reprompt_and_forget_does_what_saying_it_does(
    visit: Visit, locale: str
) -> None:
    visit.open()
    with visit.page.expect_response("**/api/say") as said:
        visit.type(yes(locale))
    reprompt = said.value.json()["turn"]["reprompt"]
    visit.press(visit.words["quiet"])
    assert visit.page.locator("[role=log] .entry.reprompt .said").all_text_contents() == [reprompt]
    assert visit.spoken()[-1]["text"] == reprompt

    visit.press(visit.words["forget"])
    assert visit.said()[-1].startswith(first_sentence(locale, "forgotten"))
    visit.page.reload()
    visit.answered = 0
    visit.wait()
    assert first_sentence(locale, "welcome") in visit.said()[0], "nothing kept to come back to"


def test_typed_html_stays_text(browser: Any, url: str) -> None:
    visit = Visit(browser, url, "en-US").open()
    typed = '<img src=x onerror="window.__ran=1"><b id="bold">hi</b>'
    visit.type(typed)
    assert visit.page.locator("[role=log] .entry.runner .said").all_text_contents() == [typed]
    assert visit.page.locator("[role=log] img, [role=log] b, #bold").count() == 0
    assert visit.page.evaluate("window.__ran") is None
    visit.close()
    assert visit.errors == []


OVERFLOW = """
(screen) => {
  const box = screen.getBoundingClientRect();
  const style = getComputedStyle(screen);
  const border = parseFloat(style.borderLeftWidth);
  const round = style.borderTopLeftRadius === "50%";
  const centre = [box.left + box.width / 2, box.top + box.height / 2];
  const radius = box.width / 2 - border;
  const problems = [];
  if (screen.scrollHeight > screen.clientHeight + 1 || screen.scrollWidth > screen.clientWidth + 1) {
    problems.push("the screen scrolls");
  }
  for (const element of screen.querySelectorAll("*")) {
    const r = element.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown
    const name = `${element.tagName}.${element.className}: ${element.textContent.slice(0, 30)}`;
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
      problems.push(`outside the screen: ${name}`);
    }
    if (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1) {
      if (element.clientWidth > 0) problems.push(`clipped: ${name}`);
    }
    if (round && element.children.length === 0) {
      const range = document.createRange();
      range.selectNodeContents(element);
      for (const t of range.getClientRects()) {
        for (const [x, y] of [[t.left, t.top], [t.right, t.top], [t.left, t.bottom], [t.right, t.bottom]]) {
          if (Math.hypot(x - centre[0], y - centre[1]) > radius + 0.5) {
            problems.push(`outside the circle: ${name}`);
          }
        }
      }
    }
  }
  return [...new Set(problems)];
}
"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_nothing_overflows_the_screen(browser: Any, url: str, locale: str, viewport: str) -> None:
    """The step, list and why screens, with the locale's longest words, at each size."""
    visit = Visit(browser, url, locale, viewport).open()
    content = content_for(locale)
    numbers = range(1, content.total + 1)
    longest_step = max(numbers, key=lambda n: len(content.remedy_at(n).step))
    longest_why = max(numbers, key=lambda n: len(content.remedy_at(n).why))
    visit.type(yes(locale))
    assert visit.screen.evaluate(OVERFLOW) == [], "step 1"
    for number in (longest_step, longest_why):
        visit.type(sample(locale, "ListStepsIntent"))
        assert visit.screen.locator("[data-screen=overview]").count() == 1
        assert visit.screen.evaluate(OVERFLOW) == [], "the list"
        visit.screen.locator(".item button").nth(number - 1).click()
        visit.wait()
        assert visit.shown("title") == content.remedy_at(number).title
        assert visit.screen.evaluate(OVERFLOW) == [], f"step {number}"
    visit.type(sample(locale, "WhyIntent"))
    assert visit.shown("text") == content.remedy_at(longest_why).why
    assert visit.screen.evaluate(OVERFLOW) == [], "why"
    visit.close()
    assert visit.errors == []


def test_hold_to_talk_sends_what_the_recognizer_heard(browser: Any, url: str) -> None:
    visit = Visit(browser, url, "de-DE")
    visit.context.add_init_script(script=f"{FAKE_RECOGNIZER}({json.dumps([yes('de-DE'), None])})")
    visit.open()
    talk = visit.page.get_by_role("button", name=visit.words["talk"])
    assert visit.page.get_by_text(visit.words["mic_note"]).is_visible()
    talk.hover()
    visit.page.mouse.down()
    visit.page.get_by_text(visit.words["mic_open"]).wait_for(state="visible")
    visit.page.mouse.up()
    visit.wait()
    assert visit.page.get_by_text(visit.words["mic_open"]).is_hidden()
    assert visit.shown("label") == step_screen("de-DE", 1)["label"]
    visit.close()
    assert visit.errors == []


def test_a_recognizer_that_fails_hides_the_button_and_typing_still_works(
    browser: Any, url: str
) -> None:
    visit = Visit(browser, url, "en-US")
    visit.context.add_init_script(script=f"{FAKE_RECOGNIZER}({json.dumps(['', 'network'])})")
    visit.open()
    talk = visit.page.get_by_role("button", name=visit.words["talk"])
    talk.hover()
    visit.page.mouse.down()
    talk.wait_for(state="hidden")
    visit.page.mouse.up()
    assert visit.page.get_by_text(visit.words["mic_note"]).is_hidden()
    visit.type(yes("en-US"))
    assert visit.shown("label") == step_screen("en-US", 1)["label"]
    visit.close()
    assert visit.errors == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_without_speech_in_the_browser_espeak_ng_speaks_offline(browser: Any, url: str) -> None:
    visit = Visit(browser, url, "de-DE")
    visit.context.add_init_script(
        "delete window.speechSynthesis; delete Window.prototype.speechSynthesis;"
    )
    with visit.page.expect_response("**/api/voice") as voiced:
        visit.open()
    assert voiced.value.headers["content-type"] == "audio/wav"
    assert voiced.value.body()[:4] == b"RIFF"
    assert visit.page.locator("#voice-status").text_content() == visit.words["voice_server"]
    visit.close()
    assert visit.errors == []


# The server on its own: hosts, origins, headers -----------------------------------------


def request(
    url: str, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> Any:
    address = url.split("//")[1].strip("/")
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_a_foreign_host_header_is_refused(url: str) -> None:
    address = url.split("//")[1].strip("/")
    port = address.rsplit(":", 1)[1]
    assert request(url, "GET", "/", {"Host": address}).status == 200
    assert request(url, "GET", "/", {"Host": f"localhost:{port}"}).status == 200
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1:{int(port) + 1}", ""):
        refused = request(url, "GET", "/", {"Host": host})
        assert refused.status in (400, 421), host
        assert b"<html" not in refused.body


def test_json_endpoints_take_same_origin_requests_only(url: str) -> None:
    address = url.split("//")[1].strip("/")
    body = json.dumps({"locale": "en-US"})
    page = request(url, "GET", "/", {"Host": address})
    cookie = page.getheader("Set-Cookie").split(";")[0]
    json_headers = {"Host": address, "Content-Type": "application/json", "Cookie": cookie}
    own = {**json_headers, "Origin": f"http://{address}", "Sec-Fetch-Site": "same-origin"}
    assert request(url, "POST", "/api/open", own, body).status == 200
    for foreign in (
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": f"http://{address}", "Sec-Fetch-Site": "same-site"},
        {},  # a request that says nothing of where it comes from
    ):
        assert request(url, "POST", "/api/open", {**json_headers, **foreign}, body).status == 403, (
            foreign
        )
    assert (
        request(url, "POST", "/api/open", {**own, "Content-Type": "text/plain"}, body).status == 415
    )
    assert request(url, "POST", "/api/open", own, "{not json").status == 400
    assert (
        request(url, "POST", "/api/say", own, json.dumps({"page": "gone", "text": "yes"})).status
        == 410
    )
    assert (
        request(url, "POST", "/api/say", own, json.dumps({"page": "x", "text": "y" * 501})).status
        == 400
    )


def test_every_answer_has_a_strict_content_security_policy(url: str) -> None:
    address = url.split("//")[1].strip("/")
    for path in ("/", "/static/page.js", "/static/page.css"):
        response = request(url, "GET", path, {"Host": address})
        assert response.status == 200, path
        policy = response.getheader("Content-Security-Policy")
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.getheader("X-Content-Type-Options") == "nosniff"
    page = request(url, "GET", "/", {"Host": address}).body.decode()
    assert not re.search(r"<script(?![^>]*(\bsrc=|application/json))", page), "no inline script"
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "nothing from elsewhere"
