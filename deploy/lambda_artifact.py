"""The Lambda artifact: the project's wheel plus only what the Lambda door imports, for
arm64 (Graviton) and the runtime's Python, at the versions and hashes of
deploy/lock/lambda.txt, with its bytecode compiled ahead (Lambda's code folder is
read-only, so it could never cache any). The build fails unless:

- every native extension in it is an aarch64 ELF file for that Python (checked by
  reading each file's header, as this machine may not be able to run them);
- on an arm64 machine, the artifact itself, imported from a clean directory by the
  runtime's Python, answers a launch, a next and a why from its compiled templates;
- elsewhere, a twin built for this machine's platform from the same lock, whose every
  Python file and data file is byte for byte the artifact's (only the native extensions
  differ), answers them instead. So the Python that answered is the Python that ships;
  the aarch64 native code is checked for its architecture, not run.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from deploy import REPO
from deploy.lock import LAMBDA_ARCH, LAMBDA_LOCK, LAMBDA_PLATFORM, LAMBDA_PYTHON, RUNTIME_PROVIDED

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


def build_wheel(out: Path) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, REPO)
    (wheel,) = out.glob("recovery_coach-*.whl")
    return wheel


def install_for_lambda(wheel: Path, target: Path, platform_tag: str = LAMBDA_PLATFORM) -> None:
    """The wheel and what the Lambda door needs, for `platform_tag`, exactly as the lock
    names them (versions and hashes); the twin of an artifact takes the same lock."""
    shutil.rmtree(target, ignore_errors=True)
    common = [
        "--quiet", "--target", target, "--platform", platform_tag, "--implementation", "cp",
        "--python-version", LAMBDA_PYTHON, "--only-binary=:all:", "--no-compile", "--no-deps",
    ]  # fmt: skip
    run(sys.executable, "-m", "pip", "install", *common, "--require-hashes", "-r", LAMBDA_LOCK)
    run(sys.executable, "-m", "pip", "install", *common, wheel)
    for distribution in RUNTIME_PROVIDED:
        remove_distribution(target, distribution)  # should the lock ever name one
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
        install_for_lambda(wheel, twin, host_platform())
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
