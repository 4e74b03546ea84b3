"""Wheel build step: the speech templates go into the wheel compiled (`skill.precompiled`),
so an installed skill, and Lambda, never compile a template on a request."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileTemplates(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # a source checkout renders from source (or what it compiled itself)
        sys.path.insert(0, self.root)
        try:
            from skill import precompiled
        finally:
            sys.path.remove(self.root)
        self._out = Path(tempfile.mkdtemp(prefix="recovery-coach-compiled-"))
        compiled = precompiled.compile_all(Path(self.root) / "responses", self._out / "t")
        for locale, names in compiled.items():
            self.app.display_info(f"compiled {len(names)} {locale} templates")
        build_data["force_include"][str(self._out / "t")] = f"skill/{precompiled.FOLDER}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
