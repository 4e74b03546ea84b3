"""Build what ships; each part is a module of its own in deploy/.

    python deploy/build.py skill-package --endpoint ARN_OR_HTTPS_URL \\
        --privacy-url HTTPS_URL --terms-url HTTPS_URL \\
        --responsible 'NAME, ADDRESS OR EMAIL'
    python deploy/build.py check-package [DIR]
    python deploy/build.py lambda [--python python3.13]

Both write under deploy/build/ (never committed). `skill-package` assembles the ASK
skill package (deploy/skill_package.py) and checks it (deploy/package_checks.py), as
`check-package` checks any package; `lambda` builds the Lambda artifact from the lock
and checks that it answers (deploy/lambda_artifact.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: deploy/ is a package of the repository
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy import BUILD, lambda_artifact
from deploy.lock import LAMBDA_PYTHON
from deploy.package_checks import check_skill_package
from deploy.skill_package import build_skill_package


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
    package.add_argument(
        "--responsible",
        help="who is responsible for the skill's data, and how to reach them (the privacy notice)",
    )
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
            responsible=args.responsible,
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
    python = args.python or lambda_artifact.find_python(LAMBDA_PYTHON)
    report = lambda_artifact.build_lambda(python, args.out)
    print(json.dumps(report, indent=2))
    unzipped, zipped = int(report["unzipped_bytes"]), int(report["zipped_bytes"])
    print(f"Lambda artifact: {unzipped / 2**20:.1f} MiB unzipped, {zipped / 2**20:.1f} MiB zipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
