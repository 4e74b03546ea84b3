"""flask-ask-sdk imports on this OpenSSL, and the fix stands aside for a fixed oscrypto."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from skill.oscrypto_compat import BROKEN_PATTERN, FIXED_PATTERN, needs_fix

REPO = Path(__file__).parent.parent


def python(code: str, *extra_path: Path) -> subprocess.CompletedProcess[str]:
    path = ":".join([*map(str, extra_path), str(REPO)])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": path, "PATH": ""},
        timeout=60,
        check=False,
    )


def test_the_web_service_imports_and_oscrypto_reads_the_openssl_version() -> None:
    result = python(
        """
        import skill.webservice, flask_ask_sdk.skill_adapter, certvalidator
        from oscrypto._openssl._libcrypto import libcrypto_version_info
        print(libcrypto_version_info)
        """
    )
    assert result.returncode == 0, result.stderr
    version = eval(result.stdout)  # a tuple such as (3, 0, 19)
    assert all(isinstance(part, int) for part in version[:3])


def test_only_the_broken_pattern_is_fixed() -> None:
    source = f"version_match = re.search({BROKEN_PATTERN}, version_string)"
    assert needs_fix(source)
    assert not needs_fix(source.replace(BROKEN_PATTERN, FIXED_PATTERN))


def test_it_does_nothing_once_a_fixed_oscrypto_is_installed(tmp_path: Path) -> None:
    fixed = tmp_path / "oscrypto" / "_openssl"
    fixed.mkdir(parents=True)
    (tmp_path / "oscrypto" / "__init__.py").write_text("")
    (fixed / "__init__.py").write_text("")
    for name in ("_libcrypto_ctypes.py", "_libcrypto_cffi.py"):
        (fixed / name).write_text(f"import re\nPATTERN = {FIXED_PATTERN}\n")
    result = python(
        """
        import sys
        from skill import oscrypto_compat
        print(oscrypto_compat.install(), len([f for f in sys.meta_path if 'Pattern' in type(f).__name__]))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0"]
