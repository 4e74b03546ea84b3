"""Make `flask-ask-sdk` importable on OpenSSL 3.0.10 and newer.

Why this exists: flask-ask-sdk imports ask-sdk-webservice-support, whose verifier
module imports certvalidator, which imports oscrypto. oscrypto 1.3.0 (the last
release) finds the OpenSSL version with the pattern `\\d\\.\\d\\.\\d`, which cannot read
a two-digit patch number ("OpenSSL 3.0.19"), and raises LibraryNotFoundError at
import time (wbond/oscrypto#78: fixed on oscrypto's main branch, never released).

Why this way: the skill does not use oscrypto or certvalidator at all (requests are
verified by `skill.verify`, on `cryptography`), it only has to import them. Pinning
an old OpenSSL is not ours to do, a stand-in module would hide a real dependency, and
a fork on PyPI would shadow the same package name. So, before anything imports
oscrypto, `install()` checks the installed oscrypto's source for the broken pattern
and, only if it is there, loads those two modules with the pattern oscrypto's own
fix uses. Nothing else in them changes.

It retires itself: once an oscrypto without the broken pattern is installed,
`install()` finds nothing to fix and does nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

BROKEN_PATTERN = "'\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b'"  # as written in oscrypto 1.3.0
FIXED_PATTERN = "'\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b'"  # as on oscrypto's main branch
MODULES = ("oscrypto._openssl._libcrypto_ctypes", "oscrypto._openssl._libcrypto_cffi")


def _source_of(name: str) -> tuple[importlib.machinery.ModuleSpec, str] | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not isinstance(spec.loader, importlib.abc.InspectLoader):
        return None
    source = spec.loader.get_source(name)
    return (spec, source) if source else None


def needs_fix(source: str) -> bool:
    return BROKEN_PATTERN in source


class _FixedVersionPatternFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads the named oscrypto modules from their own source, with the pattern fixed."""

    def __init__(self, sources: dict[str, tuple[importlib.machinery.ModuleSpec, str]]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.sources:
            return None
        original, _ = self.sources[fullname]
        return importlib.util.spec_from_file_location(
            fullname, original.origin, loader=self, submodule_search_locations=None
        )

    def exec_module(self, module: ModuleType) -> None:
        spec, source = self.sources[module.__name__]
        fixed = source.replace(BROKEN_PATTERN, FIXED_PATTERN)
        exec(compile(fixed, spec.origin or module.__name__, "exec"), module.__dict__)


def install() -> bool:
    """Fix the installed oscrypto if it needs it; True if a fix was put in place."""
    if any(isinstance(finder, _FixedVersionPatternFinder) for finder in sys.meta_path):
        return True
    if any(name in sys.modules for name in MODULES):
        return False  # already imported (and so already working): leave it alone
    broken = {}
    for name in MODULES:
        found = _source_of(name)
        if found and needs_fix(found[1]):
            broken[name] = found
    if not broken:
        return False
    sys.meta_path.insert(0, _FixedVersionPatternFinder(broken))
    return True
