"""What would fail certification or deployment in a skill package: `check_skill_package`
lists every such problem (none when the package is ready to submit). The operator's
inputs (the endpoint, the privacy and terms URLs) are held to the same rules before a
package is built (`endpoint_problem`, `url_problem`).

The store's rules are Amazon's, so they are here; what differs by locale (the countries
it serves, the disclaimer's wording) is data (`deploy.locale_facts`).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

from deploy import DEPLOY, icons
from deploy.locale_facts import LocaleFacts, every_locale

PHRASINGS = DEPLOY / "invocation_phrasings.json"
ICONS = "assets/images"
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
LIMITS = {"name": 50, "summary": 160, "description": 4000}  # characters, the store's limits
MAX_KEYWORDS = 30
MAX_EXAMPLE_PHRASES = 3
LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:(?P<account>\d{12}):function:[\w-]+(:[\w$-]+)?$"
)
# Names reserved for documentation and testing (RFC 2606, RFC 6761), and the account
# number AWS's own examples use: what a placeholder looks like.
PLACEHOLDER_HOST = re.compile(r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$")
PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_TEXT = re.compile(
    r"example\.(com|net|org)|\blocalhost\b|\.invalid\b|" + PLACEHOLDER_ACCOUNT, re.IGNORECASE
)
# A word every PLACEHOLDER_TEXT match holds: a plain substring search finds none of them
# in a model of many megabytes at once, where the regular expression takes a third of a
# second per file.
PLACEHOLDER_HINTS = ("example.", "localhost", ".invalid", PLACEHOLDER_ACCOUNT)


def find_placeholder(text: str) -> re.Match[str] | None:
    """The first placeholder in `text` (a documentation host, an example account)."""
    folded = text.casefold()
    if not any(hint in folded for hint in PLACEHOLDER_HINTS):
        return None
    return PLACEHOLDER_TEXT.search(text)


def url_problem(url: str | None, what: str) -> str | None:
    """Why `url` cannot be published as `what`, or None: https, a public host name."""
    if not url:
        return f"no {what} given"
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https" or not host:
        return f"the {what} must be an https:// URL: {url!r}"
    if PLACEHOLDER_HOST.search(host) or PLACEHOLDER_TEXT.search(url):
        return f"the {what} is a placeholder: {url!r}"
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return f"the {what} must name a host, not an IP address: {url!r}"
    if "." not in host:
        return f"the {what} is not a public host name: {url!r}"
    if "{" in url or "}" in url:
        return f"the {what} has an unfilled placeholder: {url!r}"
    return None


def endpoint_problem(endpoint: str | None) -> str | None:
    """Why the skill could not call `endpoint`, or None: a Lambda ARN or an https URL."""
    if not endpoint:
        return "no endpoint given"
    if endpoint.startswith("arn:"):
        match = LAMBDA_ARN.match(endpoint)
        if not match:
            return f"the endpoint is not a Lambda function ARN: {endpoint!r}"
        if match["account"] == PLACEHOLDER_ACCOUNT:
            return f"the endpoint is a placeholder (AWS's example account): {endpoint!r}"
        return None
    return url_problem(endpoint, "endpoint")


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'{}]", " ", text.lower()).split())


@functools.cache
def _phrasings() -> dict[str, Any]:
    return json.loads(PHRASINGS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def phrasing_problem(phrase: str, invocation: str, language: str) -> str | None:
    """Why an example phrase is not one of Amazon's supported ways to open a skill or to
    ask it something (deploy/invocation_phrasings.json), or None."""
    if not phrase.startswith("Alexa, "):
        return f"{phrase!r} does not start with the wake word ('Alexa, ')"
    table = _phrasings().get(language)
    if table is None:
        return f"no supported phrasings are known for the language {language!r}"
    said = _normalized(phrase.removeprefix("Alexa, "))
    for template in [*table["launch"], *table["oneShot"]]:
        parts = re.split(r"(\{invocation\}|\{request\})", _normalized(template))
        pattern = "".join(
            re.escape(_normalized(invocation))
            if part == "{invocation}"
            else r"\S.*"
            if part == "{request}"
            else re.escape(part)
            for part in parts
        )
        if re.fullmatch(pattern, said):
            return None
    return f"{phrase!r} is not a supported launch or one-shot phrasing for {invocation!r}"


@functools.cache
def _image_size(data: bytes, name: str) -> tuple[int, int] | str:
    """The size of a PNG, or what is wrong with it (every locale may share one icon)."""
    try:
        width, height, rows = icons.read_png(data)
    except icons.NotAnImage as error:
        return f"{name} is not a readable PNG ({error})"
    step = len(rows[0]) // width if rows and width else 1
    colours = {row[i : i + step] for row in rows for i in range(0, len(row), step)}
    if len(colours) < 2:
        return f"{name} is blank"
    return width, height


def icon_problem(folder: Path, key: str, uri: str) -> str | None:
    size = ICON_SIZES[key]
    if not uri.startswith(f"file://{ICONS}/"):
        return f"{key} is not an icon in the package's {ICONS}: {uri!r}"
    path = folder / uri.removeprefix("file://")
    try:
        found = _image_size(path.read_bytes(), path.name)
    except OSError:
        return f"{key}: {path.relative_to(folder)} is missing"
    return None if found == (size, size) else f"{key} must be a {size}x{size} PNG: {found}"


def listing_problems(
    folder: Path, info: dict[str, Any], facts: LocaleFacts, invocation: str | None
) -> list[str]:
    """What the store would refuse in one locale's listing."""
    problems = []
    for field, limit in LIMITS.items():
        text = info.get(field)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"no {field}")
        elif len(text) > limit:
            problems.append(f"the {field} is longer than {limit} characters")
    keywords = info.get("keywords")
    if not isinstance(keywords, list) or not 1 <= len(keywords) <= MAX_KEYWORDS:
        problems.append(f"between 1 and {MAX_KEYWORDS} keywords are needed")
    if facts.disclaimer not in str(info.get("description", "")):
        problems.append(f"the description lacks the disclaimer {facts.disclaimer!r}")
    phrases = info.get("examplePhrases")
    if not isinstance(phrases, list) or not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
        problems.append(f"between 1 and {MAX_EXAMPLE_PHRASES} example phrases are needed")
    elif invocation is not None:
        problems += filter(None, (phrasing_problem(p, invocation, facts.language) for p in phrases))
    for key in ICON_SIZES:
        problems += filter(None, [icon_problem(folder, key, str(info.get(key, "")))])
    return problems


def check_skill_package(folder: Path, known: dict[str, LocaleFacts] | None = None) -> list[str]:
    """Everything in a built skill package that would fail certification or deployment,
    judged against the locales' facts (`known`, by default the supported locales'): an
    empty list when it is ready to submit."""
    known = every_locale() if known is None else known
    try:
        skill = json.loads((folder / "skill.json").read_text(encoding="utf-8"))["manifest"]
        publishing = skill["publishingInformation"]
        locales: dict[str, dict[str, Any]] = publishing["locales"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"no readable manifest: {error!r}"]
    problems: list[str] = []
    models = {path.stem: path for path in (folder / "interactionModels" / "custom").glob("*.json")}
    for locale in sorted(set(models) - set(locales)):
        problems.append(f"{locale}: a model the manifest does not declare")
    privacy = skill.get("privacyAndCompliance", {}).get("locales", {})
    for locale in sorted(set(privacy) - set(locales)):
        problems.append(f"{locale}: privacy URLs for a locale the manifest does not declare")
    for locale, info in locales.items():
        if locale not in known:
            problems.append(f"{locale}: not a supported locale (no responses/{locale}/locale.toml)")
            continue
        invocation = None
        if locale in models:
            model = json.loads(models[locale].read_text(encoding="utf-8"))
            invocation = model["interactionModel"]["languageModel"]["invocationName"]
        else:
            problems.append(f"{locale}: no interaction model for a declared locale")
        found = listing_problems(folder, info, known[locale], invocation)
        problems += [f"{locale}: {problem}" for problem in found]
        urls = privacy.get(locale, {})
        for key, what in (("privacyPolicyUrl", "privacy URL"), ("termsOfUseUrl", "terms URL")):
            problem = url_problem(urls.get(key), what)
            if problem:
                problems.append(f"{locale}: {problem}")
    served = sorted({c for locale in locales if locale in known for c in known[locale].countries})
    if publishing.get("isAvailableWorldwide") is not False:
        problems.append("distribution must list its countries, not be worldwide")
    distributed = set(publishing.get("distributionCountries", []))
    for locale in locales:
        missing = sorted(set(known[locale].countries) - distributed) if locale in known else []
        if missing:
            problems.append(f"{locale}: distributionCountries lacks {missing}, which it serves")
    if sorted(distributed) != served:
        problems.append(f"distributionCountries should be exactly {served}")
    endpoint = skill.get("apis", {}).get("custom", {}).get("endpoint", {}).get("uri")
    problem = endpoint_problem(endpoint)
    if problem:
        problems.append(problem)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".png":
            found_text = find_placeholder(path.read_text(encoding="utf-8", errors="replace"))
            if found_text:
                where = path.relative_to(folder)
                problems.append(f"{where}: a placeholder ({found_text.group()!r})")
    return problems
