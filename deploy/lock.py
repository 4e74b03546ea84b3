"""The lock files: every distribution the Lambda artifact and the container install, at
one version each, with the hashes of its files, so both builds install exactly what was
locked (`pip install --require-hashes`) and nothing a registry serves later.

    make lock        # after changing a dependency in pyproject.toml

The locks are made by uv (`uv pip compile --generate-hashes`) from what pyproject.toml
asks for, which this module writes out first as the locks' inputs:

- deploy/lock/container.in/.txt: the project's dependencies with the `dynamodb` extra,
  resolved once for every platform (`--universal`), since the image is built for x86_64
  and aarch64 Linux, on the image's Python;
- deploy/lock/lambda.in/.txt: only what the Lambda door imports (and what those need),
  for Lambda's aarch64 Linux and Python, at the container lock's versions; the packages
  Lambda's Python runtime brings itself are left out.

A test checks that the inputs are still what pyproject.toml asks for and that every
locked version satisfies them, so a dependency changed without `make lock` fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from deploy import DEPLOY, REPO

LAMBDA_PYTHON = "3.13"  # as in template.yaml
LAMBDA_ARCH = "aarch64"  # template.yaml: Architectures [arm64]
LAMBDA_PLATFORM = f"manylinux2014_{LAMBDA_ARCH}"  # pip's name for it
UV_LAMBDA_PLATFORM = f"{LAMBDA_ARCH}-manylinux2014"  # uv's
CONTAINER_PYTHON = "3.13"  # as in the Dockerfile's FROM lines

# What the Lambda door imports (besides the skill itself); their own dependencies follow.
# The web door's packages (Flask, flask-ask-sdk, waitress, cryptography, certifi) stay out.
LAMBDA_DISTRIBUTIONS = (
    "ask-sdk-core",
    "jinja2",
    "platformdirs",
)
# Lambda's Python runtime brings these itself; leaving them out saves about 20 MB.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
CONTAINER_EXTRAS = ("dynamodb",)

LOCKS = DEPLOY / "lock"
CONTAINER_LOCK = LOCKS / "container.txt"
LAMBDA_LOCK = LOCKS / "lambda.txt"
HEADER = "# Made by `make lock` (deploy/lock.py) from pyproject.toml: do not edit.\n"


def name_of(requirement: str) -> str:
    """The normalised distribution name a requirement line is about."""
    name = re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs(pyproject: Path = REPO / "pyproject.toml") -> dict[Path, list[str]]:
    """What each lock is made from: the requirement lines pyproject.toml gives."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    runtime = list(project["dependencies"])
    for extra in CONTAINER_EXTRAS:
        runtime += project["optional-dependencies"][extra]
    lambda_lines = [line for line in runtime if name_of(line) in LAMBDA_DISTRIBUTIONS]
    missing = set(LAMBDA_DISTRIBUTIONS) - {name_of(line) for line in lambda_lines}
    if missing:
        raise SystemExit(f"pyproject.toml does not require {sorted(missing)}")
    return {
        CONTAINER_LOCK.with_suffix(".in"): runtime,
        LAMBDA_LOCK.with_suffix(".in"): lambda_lines,
    }


def input_text(lines: list[str]) -> str:
    return HEADER + "".join(f"{line}\n" for line in lines)


def uv_commands() -> list[list[str]]:
    uv = [sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--generate-hashes"]
    uv += ["--custom-compile-command", "make lock"]
    container = CONTAINER_LOCK.with_suffix(".in")
    function = LAMBDA_LOCK.with_suffix(".in")
    skipped = [arg for name in RUNTIME_PROVIDED for arg in ("--no-emit-package", name)]
    return [
        [*uv, "--universal", "--python-version", CONTAINER_PYTHON, str(container),
         "--output-file", str(CONTAINER_LOCK)],
        [*uv, "--python-platform", UV_LAMBDA_PLATFORM, "--python-version", LAMBDA_PYTHON,
         "--constraints", str(CONTAINER_LOCK), *skipped, str(function),
         "--output-file", str(LAMBDA_LOCK)],
    ]  # fmt: skip


def main() -> int:
    LOCKS.mkdir(exist_ok=True)
    for path, lines in inputs().items():
        path.write_text(input_text(lines), encoding="utf-8")
    for command in uv_commands():
        subprocess.run(command, check=True, cwd=REPO)
    print(f"locked: {CONTAINER_LOCK.relative_to(REPO)}, {LAMBDA_LOCK.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
