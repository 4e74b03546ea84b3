"""Rendering a named response kind to SSML, reprompt and card, from Jinja2 templates.

Each response kind is one template, `responses/<locale>/speech/<kind>.ssml.j2`, with
up to four blocks: `speech`, `reprompt`, `card_title`, `card_text`. Macros shared by
all kinds live in `_prompts.j2` and are reached as `prompts.<macro>`. Every value put
into a template is escaped for SSML (autoescaping through `finalize`), so remedy text
with an ampersand or a bracket can never break the markup. Templates compile once per
process: the environment caches them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from importlib.abc import Traversable
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

_WHITESPACE = re.compile(r"\s+")
# Characters XML 1.0 does not allow at all, escaped or not (control codes, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


def escape_ssml(value: object) -> Markup:
    """Escape a value for SSML text; values already marked safe pass through."""
    if value is None:
        return Markup("")
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(xml_escape(_NOT_XML.sub("", str(value))))


def tidy(text: str) -> str:
    """Fold template whitespace into single spaces."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _WHITESPACE.sub(" ", text)).strip()


def ssml_to_text(ssml: str) -> str:
    """The words of an SSML fragment or document, as plain text. Raises on invalid SSML."""
    inner = re.sub(r"^\s*<speak>|</speak>\s*$", "", ssml)
    root = ElementTree.fromstring(f"<speak>{inner}</speak>")
    return tidy(" ".join(root.itertext()))


@dataclass(frozen=True)
class Rendered:
    speech: str  # SSML without the <speak> wrapper (the SDK adds it)
    reprompt: str | None
    card_title: str | None
    card_text: str | None  # plain text


class _TraversableLoader(jinja2.BaseLoader):
    """Loads templates from package data, which may sit inside a zip or a wheel."""

    def __init__(self, folder: Traversable) -> None:
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Any]:
        path = self.folder / template
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), None, lambda: True


class Speech:
    def __init__(self, folder: Traversable) -> None:
        self.environment = jinja2.Environment(
            loader=_TraversableLoader(folder),
            autoescape=True,
            finalize=escape_ssml,
            undefined=jinja2.StrictUndefined,
        )
        # Shared macros (the closing prompt) are a global, so every block can call them.
        self.environment.globals["prompts"] = self.environment.get_template("_prompts.j2").module

    def kinds(self) -> list[str]:
        folder = self.environment.loader.folder  # type: ignore[union-attr]
        return sorted(
            entry.name.removesuffix(".ssml.j2")
            for entry in folder.iterdir()
            if entry.name.endswith(".ssml.j2") and not entry.name.startswith("_")
        )

    def render(self, kind: str, **data: Any) -> Rendered:
        template = self.environment.get_template(f"{kind}.ssml.j2")
        context = template.new_context(data)

        def block(name: str) -> str | None:
            render_block = template.blocks.get(name)
            if render_block is None:
                return None
            return tidy("".join(render_block(context))) or None

        card_title = block("card_title")
        return Rendered(
            speech=block("speech") or "",
            reprompt=block("reprompt"),
            card_title=ssml_to_text(card_title) if card_title else None,
            card_text=self._card_text(template, context),
        )

    @staticmethod
    def _card_text(template: jinja2.Template, context: Any) -> str | None:
        """Plain text for a card: each non-empty line of the block is a line of the card."""
        render_block = template.blocks.get("card_text")
        if render_block is None:
            return None
        raw = "".join(render_block(context))
        lines = [ssml_to_text(line) for line in raw.splitlines()]
        return "\n".join(line for line in lines if line) or None
