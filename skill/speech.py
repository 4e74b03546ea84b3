"""Rendering a named response kind to SSML, reprompt and card, from Jinja2 templates.

Each response kind is one template, `responses/<locale>/speech/<kind>.ssml.j2`, with
up to four blocks: `speech`, `reprompt`, `card_title`, `card_text`. Macros shared by
all kinds live in `_prompts.j2` and are reached as `prompts.<macro>`. Every value put
into a template is escaped for SSML (autoescaping through `finalize`), so remedy text
with an ampersand or a bracket can never break the markup. Installed from a wheel, the
templates come already compiled (`skill.precompiled`); from source, each compiles once
per process, and the environment caches it.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import jinja2
from markupsafe import Markup

from skill import resources

if TYPE_CHECKING:
    from importlib.abc import Traversable

# Characters XML 1.0 does not allow at all, escaped or not (control codes, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


def escape_ssml(value: object) -> Markup:
    """Escape a value for SSML text; values already marked safe pass through."""
    if value is None:
        return Markup("")
    if hasattr(value, "__html__"):
        return Markup(value)
    text = _NOT_XML.sub("", str(value))
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_TAG = re.compile(r"<[^>]*>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&#34;": '"', "&#39;": "'", "&apos;": "'"}


def plain_text(ssml: str) -> str:
    """The words of SSML the templates made (tags dropped, our escapes undone), cheaply:
    cards are made on every step, and need no XML parser for text we escaped ourselves."""
    text = _TAG.sub(" ", ssml)
    for entity, character in _ENTITIES.items():
        text = text.replace(entity, character)
    return tidy(text.replace("&amp;", "&"))


def tidy(text: str) -> str:
    """Fold template whitespace into single spaces."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def ssml_to_text(ssml: str) -> str:
    """The words of an SSML fragment or document, as plain text. Raises on invalid SSML."""
    import xml.etree.ElementTree as ElementTree  # only the simulator and tests need it

    inner = re.sub(r"^\s*<speak>|</speak>\s*$", "", ssml)
    root = ElementTree.fromstring(f"<speak>{inner}</speak>")
    return tidy(" ".join(root.itertext()))


RENDERED_KEPT = 2048  # answers kept per locale; a few hundred cover every step and offer


def _frozen(value: Any) -> Any:
    """A hashable stand-in for template data (dicts and lists become tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value  # tuples (the place, the remedies) are hashable as they are


class Rendered(NamedTuple):
    speech: str  # SSML without the <speak> wrapper (the SDK adds it)
    reprompt: str | None
    card_title: str | None
    card_text: str | None  # plain text


FOLDER = "speech"  # responses/<locale>/speech/


class _LayeredLoader(jinja2.BaseLoader):
    """Loads templates from package data, which may sit inside a zip or a wheel: each from
    the most specific folder that has it, a locale's own, then its language's (the one
    rule, `resources.find` and `resources.files`)."""

    def __init__(self, responses: Traversable, locale: str) -> None:
        self.responses, self.locale = responses, locale

    def list_templates(self) -> list[str]:
        return list(resources.files(self.responses, self.locale, ".j2", FOLDER))

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Any]:
        try:
            path = resources.find(self.responses, self.locale, f"{FOLDER}/{template}")
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        return path.read_text(encoding="utf-8"), None, lambda: True


def source_loader(responses: Traversable, locale: str) -> jinja2.BaseLoader:
    """Where a locale's speech templates come from, as source (what is compiled ahead of
    time, and what the skill falls back to): file by file, the locale's own folder, then
    its language's."""
    return _LayeredLoader(responses, locale)


def environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The one way templates are set up, whether compiled ahead of time or at run time."""
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        finalize=escape_ssml,
        undefined=jinja2.StrictUndefined,
    )


class Speech:
    def __init__(
        self, sources: jinja2.BaseLoader, compiled: jinja2.BaseLoader | None = None
    ) -> None:
        """Templates from `compiled` (Jinja2 modules compiled ahead of time) if given,
        else from `sources`, which also answers which kinds there are."""
        self.sources = sources
        self.compiled = compiled is not None
        self.environment = environment(compiled if compiled is not None else sources)
        # Shared macros (the closing prompt) are a global, so every block can call them.
        self.environment.globals["prompts"] = self.environment.get_template("_prompts.j2").module
        self._rendered: dict[tuple[str, Any], Rendered] = {}
        self._variants: dict[str, bool] = {}

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                name.removesuffix(".ssml.j2")
                for name in self.sources.list_templates()
                if name.endswith(".ssml.j2") and not name.startswith("_")
            )
        )

    def render(self, kind: str, **data: Any) -> Rendered:
        """The answer of this kind for this data. An answer depends on nothing else, so it
        is kept and reused (a runner hears the same eight steps); kinds with variants
        (Jinja's `random` filter) are rendered afresh each time."""
        varying = self._variants.get(kind)
        if varying is None:
            source, _, _ = self.sources.get_source(self.environment, f"{kind}.ssml.j2")
            varying = self._variants[kind] = "random" in source
        if varying:
            return self._render(self.environment.get_template(f"{kind}.ssml.j2"), data)
        key = (kind, _frozen(data))
        rendered = self._rendered.get(key)
        if rendered is None:
            if len(self._rendered) >= RENDERED_KEPT:
                self._rendered.clear()  # bounded: odd slot values cannot grow it for ever
            template = self.environment.get_template(f"{kind}.ssml.j2")
            rendered = self._rendered[key] = self._render(template, data)
        return rendered

    def _render(self, template: jinja2.Template, data: dict[str, Any]) -> Rendered:
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
            card_title=plain_text(card_title) if card_title else None,
            card_text=self._card_text(template, context),
        )

    @staticmethod
    def _card_text(template: jinja2.Template, context: Any) -> str | None:
        """Plain text for a card: each non-empty line of the block is a line of the card."""
        render_block = template.blocks.get("card_text")
        if render_block is None:
            return None
        raw = "".join(render_block(context))
        lines = [plain_text(line) for line in raw.splitlines() if line.strip()]
        return "\n".join(line for line in lines if line) or None
