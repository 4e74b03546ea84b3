"""SnapStart: Lambda snapshots the environment after init and restores copies of it.
The door registers an after-restore hook with the runtime (when the runtime has the
hook module), which reseeds `random` and gives the store a new network client. Here a
stand-in for the runtime's `snapshot_restore_py` records the hook, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FAKE_RUNTIME = """
hooks = []
def register_after_restore(hook, *args, **kwargs):
    hooks.append(hook)
def register_before_snapshot(hook, *args, **kwargs):
    pass
"""

CHILD = """
import json, random, snapshot_restore_py
import skill.lambda_function as door
store = door.shared_skill().persistence_adapter
before = (id(store.resource), id(store.table), random.getstate())
for hook in snapshot_restore_py.hooks:
    hook()
after = (id(store.resource), id(store.table), random.getstate())
print(json.dumps({
    "hooks": len(snapshot_restore_py.hooks),
    "new_client": before[0] != after[0] and before[1] != after[1],
    "reseeded": before[2] != after[2],
    "region": store.resource.meta.client.meta.region_name,
}))
"""


def test_a_restored_environment_reseeds_and_reconnects_the_store(tmp_path: Path) -> None:
    (tmp_path / "snapshot_restore_py.py").write_text(FAKE_RUNTIME)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
        "SKILL_DB": "dynamodb://progress",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"hooks": 1, "new_client": True, "reseeded": True, "region": "eu-west-1"}


def test_without_the_runtime_hook_module_the_door_still_starts(tmp_path: Path) -> None:
    code = "import skill.lambda_function, sys; print('snapshot_restore_py' in sys.modules)"
    env = {**os.environ, "SKILL_DB": f"sqlite:///{tmp_path / 'p.db'}"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
