"""What the builds install is what was locked: the lock files follow pyproject.toml, pin
every distribution with hashes, and the image builds from exactly what its Dockerfile
copies, installing from its lock."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from deploy import lambda_artifact, lock

REPO = Path(__file__).parent.parent
DOCKERFILE = REPO / "deploy" / "Dockerfile"
# Calendar-versioned: a new year is no break, so pyproject.toml does not bound them.
CALENDAR_VERSIONED = {"certifi"}
# Where each lock is installed: Linux, its Python, on each machine it is built for.
TARGETS = {
    lock.CONTAINER_LOCK: [
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": machine,
         "python_version": lock.CONTAINER_PYTHON, "python_full_version": f"{lock.CONTAINER_PYTHON}.0",
         "implementation_name": "cpython", "platform_python_implementation": "CPython",
         "os_name": "posix", "extra": ""}
        for machine in ("x86_64", "aarch64")
    ],
    lock.LAMBDA_LOCK: [
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": lock.LAMBDA_ARCH,
         "python_version": lock.LAMBDA_PYTHON, "python_full_version": f"{lock.LAMBDA_PYTHON}.0",
         "implementation_name": "cpython", "platform_python_implementation": "CPython",
         "os_name": "posix", "extra": ""}
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Pin:
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]


def pins(path: Path) -> dict[str, Pin]:
    """name -> its pin, from a lock file as uv writes it (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        hashes = tuple(re.findall(r"--hash=(sha256:[0-9a-f]{64})", line))
        requirement = Requirement(line.split(" --hash")[0].strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        found[lock.name_of(requirement.name)] = Pin(
            Version(specifier.version), requirement.marker, hashes
        )
    return found


def test_the_lock_inputs_are_what_pyproject_asks_for() -> None:
    """A dependency changed in pyproject.toml without `make lock` fails here."""
    for path, lines in lock.inputs().items():
        assert path.read_text(encoding="utf-8") == lock.input_text(lines), (
            f"{path.name} is stale: run make lock"
        )


@pytest.mark.parametrize("locked", sorted(TARGETS), ids=lambda path: path.name)
def test_every_requirement_is_pinned_with_hashes_and_satisfied(locked: Path) -> None:
    pinned = pins(locked)
    assert pinned and all(pin.hashes for pin in pinned.values()), "every pin has its hashes"
    requirements = [Requirement(line) for line in lock.inputs()[locked.with_suffix(".in")]]
    for environment in TARGETS[locked]:
        for requirement in requirements:
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            name = lock.name_of(requirement.name)
            assert name in pinned, f"{name} is not in {locked.name}: run make lock"
            assert requirement.specifier.contains(pinned[name].version, prereleases=True), (
                f"{locked.name} pins {name} {pinned[name].version}, outside {requirement}: "
                "run make lock"
            )


def test_the_lambda_lock_is_the_container_locks_versions_without_the_web_door() -> None:
    container, function = pins(lock.CONTAINER_LOCK), pins(lock.LAMBDA_LOCK)
    for name, pin in function.items():
        assert container[name].version == pin.version, name
    for door in ("flask", "flask-ask-sdk", "waitress", "cryptography", "hassil"):
        assert door in container and door not in function, door
    assert not set(lock.RUNTIME_PROVIDED) & set(function), "Lambda's runtime brings these"
    assert set(lock.LAMBDA_DISTRIBUTIONS) <= set(function)


def _requirements() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    lines = list(pyproject["project"]["dependencies"]) + pyproject["build-system"]["requires"]
    for extra in pyproject["project"]["optional-dependencies"].values():
        lines += [line for line in extra if lock.name_of(line) != "recovery-coach"]
    return lines


@pytest.mark.parametrize("line", _requirements())
def test_semver_dependencies_are_bounded_within_their_major_version(line: str) -> None:
    requirement = Requirement(line)
    specifiers = {spec.operator: Version(spec.version) for spec in requirement.specifier}
    if lock.name_of(requirement.name) in CALENDAR_VERSIONED:
        assert "<" not in specifiers, f"{line}: calendar-versioned, pinned by the lock instead"
        return
    assert set(specifiers) == {">=", "<"}, f"{line}: needs >=X and <X+1"
    low, high = specifiers[">="], specifiers["<"]
    # Before 1.0 every minor release may break (semver), so the bound is the next minor.
    ceiling = Version(f"{low.major + 1}") if low.major else Version(f"0.{low.minor + 1}")
    assert high == ceiling, f"{line}: the upper bound should be {ceiling}"
    assert SpecifierSet(f">={low},<{high}").contains(low)


# The image ---------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    workdir: str = "/"
    copies: list[tuple[list[str], str, str | None]] = None  # type: ignore[assignment]
    runs: list[str] = None  # type: ignore[assignment]


def stages() -> list[Stage]:
    """The Dockerfile's stages: what each copies (sources, destination, from stage) and runs."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found: list[Stage] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = rest.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else str(len(found))
            found.append(Stage(name, copies=[], runs=[]))
        elif instruction == "WORKDIR":
            found[-1].workdir = rest.strip()
        elif instruction == "COPY":
            words = shlex.split(rest)
            origin = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            paths = [w for w in words if not w.startswith("--")]
            found[-1].copies.append((paths[:-1], paths[-1], origin))
        elif instruction == "RUN":
            found[-1].runs.append(rest.strip())
    return found


def context_files() -> list[str]:
    """The build context as Docker sends it: every file the .dockerignore lets through."""
    patterns = [
        line.strip()
        for line in (REPO / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def matches(pattern: str, path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if pattern.startswith("**/"):
            return any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        return any(fnmatch.fnmatchcase(prefix, pattern.rstrip("/")) for prefix in prefixes)

    kept = []
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO).as_posix()
        if not path.is_file() or relative.startswith((".git/", ".venv/")):
            continue
        included = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            if matches(pattern.lstrip("!"), relative):
                included = negated
        if included:
            kept.append(relative)
    return kept


def copy_into(sources: list[str], destination: Path, context: list[str], root: Path) -> None:
    """COPY as Docker does it: a file into a folder (trailing /) or to a name, a folder's
    contents into the destination; only what the context holds."""
    for source in sources:
        inside = [f for f in context if f == source or f.startswith(source.rstrip("/") + "/")]
        assert inside, f"COPY {source}: not in the build context (see the .dockerignore)"
        for file in inside:
            if file == source:
                target = (
                    destination / Path(file).name
                    if str(destination).endswith("/") or destination.is_dir()
                    else destination
                )
            else:
                target = destination / Path(file).relative_to(source.rstrip("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / file, target)


@pytest.mark.slow
def test_the_image_builds_from_what_its_dockerfile_copies_and_answers(tmp_path: Path) -> None:
    """Each stage's COPY and `python -m pip` RUN lines, as written, with the image's
    absolute paths moved under a temporary folder and a fresh virtual environment of the
    image's Python as `python`: the build stage makes the wheel from exactly what it
    copies, and the final stage installs it from the lock; then the install answers."""
    build, final = stages()
    context = context_files()
    fs = tmp_path / "image"

    def host(path: str) -> Path:
        return fs / path.lstrip("/")

    venv = tmp_path / "venv"
    subprocess.run(
        [lambda_artifact.find_python(lock.CONTAINER_PYTHON), "-m", "venv", str(venv)], check=True
    )
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PIP_NO_INPUT": "1"}
    env.pop("PYTHONPATH", None)
    for stage in (build, final):
        workdir = host(stage.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        for sources, destination, origin in stage.copies:
            target = (
                (workdir / destination) if not destination.startswith("/") else host(destination)
            )
            if destination.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            if origin is None:
                copy_into(sources, target, context, REPO)
            else:  # from an earlier stage: already under `fs`
                for source in sources:
                    if host(source) != target:  # both stages share `fs` here
                        shutil.copytree(host(source), target, dirs_exist_ok=True)
        for command in stage.runs:
            pip = [part for part in command.split("&&") if part.strip().startswith("python -m pip")]
            for part in pip:
                moved = re.sub(r"(?<![\w.])/(?=[\w])", f"{fs}/", part.strip())
                result = subprocess.run(
                    moved, shell=True, cwd=workdir, env=env, capture_output=True, text=True,
                    check=False, timeout=600,
                )  # fmt: skip
                assert result.returncode == 0, f"{part}\n{result.stdout}\n{result.stderr}"
    launch = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "s", "application": {"applicationId": "a"},
                    "user": {"userId": "image-test"}},
        "context": {"System": {"application": {"applicationId": "a"},
                               "user": {"userId": "image-test"}, "device": {"deviceId": "d",
                               "supportedInterfaces": {}}}},
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2024-01-01T00:00:00Z",
                    "locale": "en-US"},
    }  # fmt: skip
    answer = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import json, sys; from skill.lambda_function import lambda_handler; "
         "print(json.dumps(lambda_handler(json.loads(sys.stdin.read()), None)))"],
        input=json.dumps(launch), cwd=tmp_path, env={**env, "SKILL_DB": "none", "HOME": str(tmp_path)},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    speech = json.loads(answer.stdout)["response"]["outputSpeech"]["ssml"]
    assert speech.startswith("<speak>") and len(speech) > len("<speak></speak>")
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze"], env=env, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    locked = pins(lock.CONTAINER_LOCK)
    for line in installed.splitlines():
        name, _, version = line.partition("==")
        if lock.name_of(name) != "recovery-coach":
            assert Version(version) == locked[lock.name_of(name)].version, line
