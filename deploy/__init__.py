"""What ships, as small parts, each runnable through `python deploy/build.py`:

- `locale_facts`: what the store needs to know of each locale (its countries, its
  listing, the disclaimer wording), read from `responses/` by the project's locale rule;
- `skill_package`: the ASK skill package, assembled from the manifest, the models and
  those facts; `package_checks`: what would fail certification, for any package;
- `lambda_artifact`: the code Lambda runs, built from the lock and checked;
- `lock`: the hashed lock files both the Lambda artifact and the container install from.
"""

from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
BUILD = DEPLOY / "build"
