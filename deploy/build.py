"""Build what ships: the ASK skill package and the Lambda artifact.

    python deploy/build.py skill-package --endpoint ARN_OR_HTTPS_URL \
        --privacy-url HTTPS_URL --terms-url HTTPS_URL
    python deploy/build.py check-package [DIR]
    python deploy/build.py lambda [--python python3.13]

Both write under deploy/build/ (never committed). The skill package takes the manifest
from deploy/skill-package/ and the interaction models from interaction_model/, so the
models are never copied by hand; its icons are drawn by deploy/icons.py. It is refused
without a real endpoint and privacy and terms URLs (a placeholder domain is no URL),
and checked once built, as `check-package` checks any package: real icons, the health
disclaimer and supported example phrasings in every locale, a model for every declared
locale and no undeclared one, distribution to every country the locales serve, and no
placeholder anywhere. The Lambda artifact is the project's wheel plus only
what the Lambda door imports, for arm64 (Graviton) and the runtime's Python, with its
bytecode compiled ahead (Lambda's code folder is read-only, so it could never cache
any). The build fails unless:

- every native extension in it is an aarch64 ELF file for that Python (checked by
  reading each file's header, as this machine may not be able to run them);
- on an arm64 machine, the artifact itself, imported from a clean directory by the
  runtime's Python, answers a launch, a next and a why from its compiled templates;
- elsewhere, a twin built for this machine's platform from the same distributions at the
  same versions, whose every Python file and data file is byte for byte the artifact's
  (only the native extensions differ), answers them instead. So the Python that
  answered is the Python that ships; the aarch64 native code is checked for its
  architecture, not run.
"""

from __future__ import annotations

import argparse
import email.parser
import functools
import hashlib
import importlib.util
import ipaddress
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
BUILD = DEPLOY / "build"

# What the Lambda door imports (besides the skill itself); their own dependencies follow.
# The web door's packages (Flask, flask-ask-sdk, gunicorn, cryptography, certifi) stay out.
LAMBDA_DISTRIBUTIONS = (
    "ask-sdk-core",
    "jinja2",
    "platformdirs",
    "ask-sdk-dynamodb-persistence-adapter",
)
# Lambda's Python runtime brings these itself; leaving them out saves about 20 MB.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
LAMBDA_PYTHON = "3.13"  # as in template.yaml
LAMBDA_ARCH = "aarch64"  # template.yaml: Architectures [arm64]
LAMBDA_PLATFORM = f"manylinux2014_{LAMBDA_ARCH}"
ELF_MACHINES = {183: "aarch64", 62: "x86_64"}  # e_machine values
NATIVE = (".so", ".pyd", ".dylib")

SELF_CHECK = """
import json, sys
from skill.lambda_function import lambda_handler
from skill.content import content_for
events = json.loads(sys.stdin.read())
replies = [lambda_handler(event, None) for event in events]
compiled = all(content_for(event["request"]["locale"]).speech.compiled for event in events)
print(json.dumps({"replies": replies, "compiled": compiled}))
"""


def run(*command: str | Path) -> None:
    subprocess.run([str(part) for part in command], check=True)


# The skill package ----------------------------------------------------------------------
#
# The manifest in deploy/skill-package/ holds what is the same wherever the skill runs:
# the store listing of every locale, the countries, the interfaces. What the operator
# owns is given at build time (the endpoint, the privacy and terms URLs), and the icons
# are drawn by deploy/icons.py into the package's assets, where the ASK CLI uploads them
# from (`file://assets/images/...` in the manifest). The build then checks the package
# it made; `check-package` checks any package the same way.

MANIFEST = DEPLOY / "skill-package" / "skill.json"
PHRASINGS = DEPLOY / "invocation_phrasings.json"
ICONS = "assets/images"
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
# The countries each locale's store serves: distribution covers every one, and no other.
LOCALE_COUNTRIES = {
    "en-US": ("US",),
    "en-GB": ("GB",),
    "en-CA": ("CA",),
    "en-AU": ("AU",),
    "en-IN": ("IN",),
    "de-DE": ("DE", "AT"),
}
# The health disclaimer, in the wording certification reviewers look for, by language.
DISCLAIMERS = {
    "en": "not a substitute for professional medical advice",
    "de": "kein Ersatz für professionellen medizinischen Rat",
}
LIMITS = {"name": 50, "summary": 160, "description": 4000}  # characters, the store's limits
MAX_KEYWORDS = 30
MODEL_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")
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


def for_locale(url: str, locale: str) -> str:
    """A URL given once for every locale; `{locale}` in it becomes each locale's code."""
    return url.replace("{locale}", locale)


def build_skill_package(
    out: Path,
    *,
    endpoint: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    manifest_path: Path = MANIFEST,
    models: Path = REPO / "interaction_model",
) -> Path:
    """Assemble the package in `out` and check it; SystemExit, saying why, if the inputs or
    the result could not be published."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    skill = manifest["manifest"]
    locales = list(skill["publishingInformation"]["locales"])
    given = [endpoint_problem(endpoint)]
    for url, what in ((privacy_url, "privacy URL"), (terms_url, "terms URL")):
        given += [url_problem(url and for_locale(url, locale), what) for locale in locales]
    refused = list(dict.fromkeys(problem for problem in given if problem))
    if refused:
        raise SystemExit(
            "not building the skill package:\n  - "
            + "\n  - ".join(refused)
            + "\ngive ENDPOINT=<Lambda ARN or https URL> PRIVACY_URL=<https URL> "
            "TERMS_URL=<https URL> (a URL may hold {locale})"
        )
    assert endpoint and privacy_url and terms_url
    target = {"uri": endpoint}
    if endpoint.startswith("https://"):
        target["sslCertificateType"] = "Trusted"
    skill["apis"]["custom"]["endpoint"] = target
    skill["privacyAndCompliance"]["locales"] = {
        locale: {
            "privacyPolicyUrl": for_locale(privacy_url, locale),
            "termsOfUseUrl": for_locale(terms_url, locale),
        }
        for locale in locales
    }
    # Assembled aside and moved into place only once checked: the ASK CLI deploys whatever
    # is in `out`, so a package that failed its check must not be left there.
    shutil.rmtree(out, ignore_errors=True)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    custom = partial / "interactionModels" / "custom"
    custom.mkdir(parents=True)
    (partial / "skill.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for model in sorted(models.glob("*.json")):
        if MODEL_FILE.match(model.name):
            shutil.copyfile(model, custom / model.name)
    _icons().write_icons(partial / ICONS)
    problems = check_skill_package(partial)
    if problems:
        shutil.rmtree(partial)
        raise SystemExit("the skill package is not ready:\n  - " + "\n  - ".join(problems))
    partial.rename(out)
    return out


@functools.cache
def _icons() -> Any:
    """deploy/icons.py, loaded by path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location("deploy_icons", DEPLOY / "icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'{}]", " ", text.lower()).split())


def phrasing_problem(phrase: str, invocation: str, language: str) -> str | None:
    """Why an example phrase is not one of Amazon's supported ways to open a skill or to
    ask it something (deploy/invocation_phrasings.json), or None."""
    if not phrase.startswith("Alexa, "):
        return f"{phrase!r} does not start with the wake word ('Alexa, ')"
    table = json.loads(PHRASINGS.read_text(encoding="utf-8")).get(language)
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


def _png_size(path: Path) -> tuple[int, int] | str:
    try:
        return _image_size(path.read_bytes(), path.name)
    except OSError as error:
        return f"{path.name} is not readable ({error})"


@functools.cache
def _image_size(data: bytes, name: str) -> tuple[int, int] | str:
    """The size of a PNG, or what is wrong with it (every locale may share one icon)."""
    icons = _icons()
    try:
        width, height, rows = icons.read_png(data)
    except icons.NotAnImage as error:
        return f"{name} is not a readable PNG ({error})"
    step = len(rows[0]) // width if rows and width else 1
    colours = {row[i : i + step] for row in rows for i in range(0, len(row), step)}
    if len(colours) < 2:
        return f"{name} is blank"
    return width, height


def check_skill_package(folder: Path) -> list[str]:
    """Everything in a built skill package that would fail certification or deployment:
    an empty list when it is ready to submit."""
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
        problems += [f"{locale}: {p}" for p in _locale_problems(folder, locale, info, models)]
        urls = privacy.get(locale, {})
        for key, what in (("privacyPolicyUrl", "privacy URL"), ("termsOfUseUrl", "terms URL")):
            problem = url_problem(urls.get(key), what)
            if problem:
                problems.append(f"{locale}: {problem}")
    unknown = sorted(set(locales) - set(LOCALE_COUNTRIES))
    if unknown:
        problems.append(f"no countries known for {unknown}: add them to LOCALE_COUNTRIES")
    served = sorted({c for locale in locales for c in LOCALE_COUNTRIES.get(locale, ())})
    if publishing.get("isAvailableWorldwide") is not False:
        problems.append("distribution must list its countries, not be worldwide")
    if sorted(publishing.get("distributionCountries", [])) != served:
        problems.append(f"distributionCountries should be exactly {served}")
    endpoint = skill.get("apis", {}).get("custom", {}).get("endpoint", {}).get("uri")
    problem = endpoint_problem(endpoint)
    if problem:
        problems.append(problem)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".png":
            found = PLACEHOLDER_TEXT.search(path.read_text(encoding="utf-8", errors="replace"))
            if found:
                where = path.relative_to(folder)
                problems.append(f"{where}: a placeholder ({found.group()!r})")
    return problems


def _locale_problems(
    folder: Path, locale: str, info: dict[str, Any], models: dict[str, Path]
) -> list[str]:
    problems = []
    language = locale.split("-")[0]
    for field, limit in LIMITS.items():
        text = info.get(field)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"no {field}")
        elif len(text) > limit:
            problems.append(f"the {field} is longer than {limit} characters")
    keywords = info.get("keywords")
    if not isinstance(keywords, list) or not 1 <= len(keywords) <= MAX_KEYWORDS:
        problems.append(f"between 1 and {MAX_KEYWORDS} keywords are needed")
    disclaimer = DISCLAIMERS.get(language)
    if disclaimer is None:
        problems.append(f"no disclaimer wording known for the language {language!r}")
    elif disclaimer not in str(info.get("description", "")):
        problems.append(f"the description lacks the disclaimer {disclaimer!r}")
    model = models.get(locale)
    if model is None:
        problems.append("no interaction model for a declared locale")
        invocation = None
    else:
        language_model = json.loads(model.read_text(encoding="utf-8"))["interactionModel"]
        invocation = language_model["languageModel"]["invocationName"]
    phrases = info.get("examplePhrases")
    if not isinstance(phrases, list) or not 1 <= len(phrases) <= 3:
        problems.append("between 1 and 3 example phrases are needed")
    elif invocation is not None:
        problems += filter(None, (phrasing_problem(p, invocation, language) for p in phrases))
    for key, size in ICON_SIZES.items():
        uri = str(info.get(key, ""))
        if not uri.startswith(f"file://{ICONS}/"):
            problems.append(f"{key} is not an icon in the package's {ICONS}: {uri!r}")
            continue
        path = folder / uri.removeprefix("file://")
        if not path.is_file():
            problems.append(f"{key}: {path.relative_to(folder)} is missing")
            continue
        found = _png_size(path)
        if found != (size, size):
            problems.append(f"{key} must be a {size}x{size} PNG: {found}")
    return problems


# The Lambda artifact --------------------------------------------------------------------


def build_wheel(out: Path) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, REPO)
    (wheel,) = out.glob("recovery_coach-*.whl")
    return wheel


def lambda_requirements(wheel: Path) -> list[str]:
    """The wheel's own requirement lines for the Lambda door's distributions, so the
    artifact gets the versions the project asks for."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    wanted: dict[str, str] = {}
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = line.split(";")[0].strip()
        name = re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower()
        if name in LAMBDA_DISTRIBUTIONS:
            wanted[name] = requirement
    missing = set(LAMBDA_DISTRIBUTIONS) - set(wanted)
    if missing:
        raise SystemExit(f"the wheel does not require {sorted(missing)}")
    return list(wanted.values())


def install_for_lambda(
    wheel: Path, target: Path, platform_tag: str = LAMBDA_PLATFORM, pins: list[str] | None = None
) -> None:
    """The wheel and what the Lambda door needs, for `platform_tag`; `pins` (name==version)
    fix the versions, for a twin of an artifact already built."""
    shutil.rmtree(target, ignore_errors=True)
    common = [
        "--quiet", "--target", target, "--platform", platform_tag, "--implementation", "cp",
        "--python-version", LAMBDA_PYTHON, "--only-binary=:all:", "--no-compile",
    ]  # fmt: skip
    run(sys.executable, "-m", "pip", "install", *common, "--no-deps", wheel)
    if pins:
        run(sys.executable, "-m", "pip", "install", *common, "--no-deps", *pins)
    else:
        requirements = lambda_requirements(wheel)
        run(sys.executable, "-m", "pip", "install", *common, "--upgrade", *requirements)
    for distribution in RUNTIME_PROVIDED:
        remove_distribution(target, distribution)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    for origin in target.glob("*.dist-info/direct_url.json"):
        origin.unlink()  # where the wheel was built: a path on the build machine
    shutil.rmtree(target / "bin", ignore_errors=True)
    # What users say (the ASK models, sentence templates) serves the model build and the
    # simulator; Lambda only answers, folding slot values with the number and ordinal
    # words of the built-in meanings (skill/slots.py), so those stay.
    said = target / "skill" / "_data" / "interaction_model"
    for path in sorted(said.rglob("*"), reverse=True):
        if path.is_file() and path.name != "_builtin.json":
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def remove_distribution(target: Path, name: str) -> None:
    """Delete an installed distribution's files, as its RECORD lists them."""
    for info in target.glob("*.dist-info"):
        if info.name.split("-")[0].lower().replace("_", "-") != name:
            continue
        for line in (info / "RECORD").read_text().splitlines():
            path = target / line.split(",")[0]
            if path.is_file():
                path.unlink()
        shutil.rmtree(info, ignore_errors=True)
    for folder in sorted(target.iterdir()):
        if folder.is_dir() and not any(folder.rglob("*.*")):
            shutil.rmtree(folder)


def byte_compile(target: Path, python: str) -> None:
    """Bytecode for the runtime's Python, valid without timestamps (a zip keeps none that
    Lambda would trust); bytecode is the same on every architecture."""
    run(
        python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", target
    )


def installed_versions(target: Path) -> list[str]:
    """name==version of every distribution installed in `target` but our own."""
    pins = []
    for info in sorted(target.glob("*.dist-info")):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        if name != "recovery_coach":
            pins.append(f"{name}=={version}")
    return pins


def elf_machine(path: Path) -> str:
    """The architecture an ELF file is built for, from its header."""
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF":
        return "not ELF"
    byteorder = "little" if header[5] == 1 else "big"
    machine = int.from_bytes(header[18:20], byteorder)
    return ELF_MACHINES.get(machine, f"machine {machine}")


def native_extensions(target: Path) -> dict[str, str]:
    """Every native extension in the artifact, with the architecture it is built for."""
    return {
        str(path.relative_to(target)): elf_machine(path)
        for path in sorted(target.rglob("*"))
        if path.is_file() and (path.name.endswith(NATIVE) or ".so." in path.name)
    }


def check_native(target: Path) -> dict[str, str]:
    found = native_extensions(target)
    abi = f"cpython-{LAMBDA_PYTHON.replace('.', '')}-{LAMBDA_ARCH}-linux-gnu"
    wrong = {
        name: arch
        for name, arch in found.items()
        if arch != LAMBDA_ARCH or not (abi in name or ".abi3." in name)
    }
    if wrong:
        raise SystemExit(f"native code not built for {abi}: {wrong}")
    return found


def portable_files(target: Path) -> dict[str, str]:
    """Digest of every file but native extensions and install records (wheel tags, which
    differ between the same distributions installed for two platforms)."""
    digests, native = {}, native_extensions(target)
    for path in sorted(target.rglob("*")):
        name = str(path.relative_to(target))
        if not path.is_file() or name in native:
            continue
        if path.parent.name.endswith(".dist-info") and path.name != "METADATA":
            continue
        digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def host_platform() -> str:
    machine = platform.machine().lower().replace("arm64", "aarch64").replace("amd64", "x86_64")
    return f"manylinux2014_{machine}"


def python_version(python: str) -> str | None:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def find_python(version: str) -> str:
    """An interpreter of the Lambda runtime's version: on PATH, or one pyenv has."""
    candidates = [f"python{version}"]
    if shutil.which("pyenv"):
        whence = subprocess.run(
            ["pyenv", "whence", f"python{version}"], capture_output=True, text=True, check=False
        )
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        for name in whence.stdout.split():
            candidates.append(f"{root.stdout.strip()}/versions/{name}/bin/python{version}")
    for candidate in candidates:
        if python_version(candidate) == version:
            return candidate
    raise SystemExit(f"checking the artifact needs Python {version} (python{version} on PATH)")


def recorded_conversation() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A launch, a next and a why in every locale, as the checkout answers them: the
    events and the replies the artifact must give back word for word."""
    os.environ["SKILL_DB"] = "none"  # the same on both sides: no store, a first contact
    from skill import resources
    from skill.lambda_function import lambda_handler
    from skill.simulator.device import SimulatedDevice

    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def send(event: dict[str, Any]) -> dict[str, Any]:
        reply = lambda_handler(event, None)
        pairs.append((event, reply))
        return reply

    for locale in resources.locales():
        device = SimulatedDevice(locale=locale, send=send)
        device.launch()
        device.intent("AMAZON.NextIntent")
        device.intent("WhyIntent")
    return pairs


def self_check(target: Path, python: str) -> list[str]:
    """Import the artifact from a clean directory, with the runtime's Python, replay the
    checkout's conversation, and require the same answers, from compiled templates."""
    if python_version(python) != LAMBDA_PYTHON:
        raise SystemExit(f"{python} is not Python {LAMBDA_PYTHON}, the Lambda runtime's")
    pairs = recorded_conversation()
    with tempfile.TemporaryDirectory() as clean:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": clean,
            "PYTHONPATH": str(target),
            "SKILL_DB": "none",
        }
        result = subprocess.run(
            [python, "-c", SELF_CHECK],
            input=json.dumps([event for event, _ in pairs]),
            cwd=clean,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"the Lambda artifact did not answer:\n{result.stdout}{result.stderr}")
    answered = json.loads(result.stdout)
    if not answered["compiled"]:
        raise SystemExit("the artifact compiled its templates at run time")
    speech = []
    for (event, expected), got in zip(pairs, answered["replies"], strict=True):
        said = got.get("response", {}).get("outputSpeech", {}).get("ssml")
        if said != expected["response"]["outputSpeech"]["ssml"]:
            raise SystemExit(
                f"the artifact answered {event['request']['locale']} otherwise: {said}"
            )
        speech.append(said)
    return speech


def zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder))


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build_lambda(python: str, out: Path) -> dict[str, object]:
    wheel = build_wheel(out / "dist")
    target = out / "lambda"
    install_for_lambda(wheel, target)
    native = check_native(target)
    if host_platform() == LAMBDA_PLATFORM:
        checked, speech = "the artifact itself", self_check(target, python)
    else:
        twin = out / "twin"
        install_for_lambda(wheel, twin, host_platform(), installed_versions(target))
        ours, theirs = portable_files(target), portable_files(twin)
        if ours != theirs:
            differing = sorted(set(ours.items()) ^ set(theirs.items()))[:10]
            raise SystemExit(
                f"the {host_platform()} twin is not the artifact's Python: {differing}"
            )
        checked, speech = (
            f"a {host_platform()} twin with the same Python files",
            self_check(twin, python),
        )
        shutil.rmtree(twin)
    byte_compile(target, python)
    archive = out / "lambda.zip"
    zip_folder(target, archive)
    sizes = {
        entry.name: folder_size(entry) if entry.is_dir() else entry.stat().st_size
        for entry in target.iterdir()
        if not entry.name.endswith(".dist-info")
    }
    report = {
        "artifact": str(target),
        "unzipped_bytes": folder_size(target),
        "zipped_bytes": archive.stat().st_size,
        "largest": sorted(sizes.items(), key=lambda item: -item[1])[:6],
        "distributions": sorted(info.name.split("-")[0] for info in target.glob("*.dist-info")),
        "answered": speech,
        "answered_by": checked,
        "native_extensions": native,
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    package = commands.add_parser(
        "skill-package", help="assemble and check deploy/build/skill-package"
    )
    package.add_argument("--endpoint", help="the Lambda ARN or https:// URL the skill calls")
    package.add_argument("--privacy-url", help="the privacy notice's https:// URL ({locale})")
    package.add_argument("--terms-url", help="the terms of use's https:// URL ({locale})")
    package.add_argument("--out", type=Path, default=BUILD / "skill-package")
    check = commands.add_parser("check-package", help="check a built skill package")
    check.add_argument("folder", type=Path, nargs="?", default=BUILD / "skill-package")
    function = commands.add_parser("lambda", help="build and check deploy/build/lambda")
    function.add_argument("--python", help=f"a Python {LAMBDA_PYTHON} to run the check with")
    function.add_argument("--out", type=Path, default=BUILD)
    args = parser.parse_args(argv)
    if args.command == "skill-package":
        out = build_skill_package(
            args.out,
            endpoint=args.endpoint,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
        )
        print(f"skill package: {out} (checked)")
        return 0
    if args.command == "check-package":
        problems = check_skill_package(args.folder)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"{args.folder}: {'not ready' if problems else 'ready for certification'}")
        return 1 if problems else 0
    report = build_lambda(args.python or find_python(LAMBDA_PYTHON), args.out)
    print(json.dumps(report, indent=2))
    unzipped, zipped = report["unzipped_bytes"], report["zipped_bytes"]
    print(f"Lambda artifact: {unzipped / 2**20:.1f} MiB unzipped, {zipped / 2**20:.1f} MiB zipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
