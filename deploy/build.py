"""Build what ships: the ASK skill package and the Lambda artifact.

    python deploy/build.py skill-package [--endpoint ARN_OR_HTTPS_URL]
    python deploy/build.py lambda [--python python3.13]

Both write under deploy/build/ (never committed). The skill package takes the manifest
from deploy/skill-package/ and the interaction models from interaction_model/, so the
models are never copied by hand. The Lambda artifact is the project's wheel plus only
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
import hashlib
import json
import os
import platform
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
LAMBDA_ARCH = "aarch64"  # template.yaml: Architectures [arm64]
LAMBDA_PLATFORM = f"manylinux2014_{LAMBDA_ARCH}"
ELF_MACHINES = {183: "aarch64", 62: "x86_64"}  # e_machine values
NATIVE = (".so", ".pyd", ".dylib")

SELF_CHECK = """
import json, sys
from skill.lambda_function import lambda_handler
from skill.simulator.device import SimulatedDevice
device = SimulatedDevice(send=lambda event: lambda_handler(event, None))
turns = [device.launch(), device.intent("AMAZON.NextIntent"), device.intent("WhyIntent")]
speech = [turn.speech or "" for turn in turns]
print(json.dumps(speech))
from skill.content import content_for
welcomed, stepped = speech[0].startswith("Welcome"), speech[1].startswith("Step 1 of")
if not content_for("en-US").speech.compiled:
    sys.exit("the artifact compiled its templates at run time")
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
