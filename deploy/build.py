"""Build what ships: the ASK skill package and the Lambda artifact.

    python deploy/build.py skill-package [--endpoint ARN_OR_HTTPS_URL]
    python deploy/build.py lambda [--python python3.13]

Both write under deploy/build/ (never committed). The skill package takes the manifest
from deploy/skill-package/ and the interaction models from interaction_model/, so the
models are never copied by hand. The Lambda artifact is the project's wheel plus only
what the Lambda door imports; the build fails unless the artifact, imported from a
clean directory by the Lambda runtime's Python version, answers a launch, a next and a
why.
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

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
LAMBDA_PLATFORM = "manylinux2014_x86_64"  # template.yaml: Architectures [x86_64]

SELF_CHECK = """
import json, sys
from skill.lambda_function import lambda_handler
from skill.simulator.device import SimulatedDevice
device = SimulatedDevice(send=lambda event: lambda_handler(event, None))
turns = [device.launch(), device.intent("AMAZON.NextIntent"), device.intent("WhyIntent")]
speech = [turn.speech or "" for turn in turns]
print(json.dumps(speech))
welcomed, stepped = speech[0].startswith("Welcome"), speech[1].startswith("Step 1 of")
sys.exit(0 if welcomed and stepped and turns[2].end_session is False else 1)
"""


def run(*command: str | Path) -> None:
    subprocess.run([str(part) for part in command], check=True)


# The skill package ----------------------------------------------------------------------


def build_skill_package(endpoint: str | None, out: Path) -> Path:
    manifest = json.loads((DEPLOY / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    if endpoint:
        target = {"uri": endpoint}
        if endpoint.startswith("https://"):
            target["sslCertificateType"] = "Trusted"
        manifest["manifest"]["apis"]["custom"]["endpoint"] = target
    shutil.rmtree(out, ignore_errors=True)
    models = out / "interactionModels" / "custom"
    models.mkdir(parents=True)
    (out / "skill.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for model in sorted((REPO / "interaction_model").glob("*.json")):
        shutil.copyfile(model, models / model.name)
    return out


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


def install_for_lambda(wheel: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    common = [
        "--quiet", "--target", target, "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
        "--python-version", LAMBDA_PYTHON, "--only-binary=:all:", "--no-compile",
    ]  # fmt: skip
    run(sys.executable, "-m", "pip", "install", *common, "--no-deps", wheel)
    run(sys.executable, "-m", "pip", "install", *common, "--upgrade", *lambda_requirements(wheel))
    for distribution in RUNTIME_PROVIDED:
        remove_distribution(target, distribution)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    for origin in target.glob("*.dist-info/direct_url.json"):
        origin.unlink()  # where the wheel was built: a path on the build machine
    shutil.rmtree(target / "bin", ignore_errors=True)


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


def self_check(target: Path, python: str) -> list[str]:
    """Import the artifact from a clean directory, with the runtime's Python, and talk."""
    if python_version(python) != LAMBDA_PYTHON:
        raise SystemExit(f"{python} is not Python {LAMBDA_PYTHON}, the Lambda runtime's")
    with tempfile.TemporaryDirectory() as clean:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": clean, "PYTHONPATH": str(target)}
        result = subprocess.run(
            [python, "-c", SELF_CHECK],
            cwd=clean,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"the Lambda artifact did not answer:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


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
    speech = self_check(target, python)
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
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    package = commands.add_parser("skill-package", help="assemble deploy/build/skill-package")
    package.add_argument("--endpoint", help="the Lambda ARN or https:// URL the skill calls")
    package.add_argument("--out", type=Path, default=BUILD / "skill-package")
    function = commands.add_parser("lambda", help="build and check deploy/build/lambda")
    function.add_argument("--python", help=f"a Python {LAMBDA_PYTHON} to run the check with")
    function.add_argument("--out", type=Path, default=BUILD)
    args = parser.parse_args(argv)
    if args.command == "skill-package":
        print(f"skill package: {build_skill_package(args.endpoint, args.out)}")
        return 0
    report = build_lambda(args.python or find_python(LAMBDA_PYTHON), args.out)
    print(json.dumps(report, indent=2))
    unzipped, zipped = report["unzipped_bytes"], report["zipped_bytes"]
    print(f"Lambda artifact: {unzipped / 2**20:.1f} MiB unzipped, {zipped / 2**20:.1f} MiB zipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
