"""The privacy notice to publish: `deploy/PRIVACY.md.j2`, filled in at build time with
the party responsible for the skill and its data (who they are and how to reach them,
which the German notice must name), and with the resume window the skill keeps records
for. The skill-package build refuses to run without a responsible party, as it does
without the URLs, and writes the notice beside the package (deploy/build/PRIVACY.md)."""

from __future__ import annotations

import re

import jinja2

from deploy import DEPLOY
from deploy.package_checks import PLACEHOLDER_TEXT
from skill.progress import RESUME_WINDOW

TEMPLATE = DEPLOY / "PRIVACY.md.j2"
# A name, then a way to reach them: an email address, or a postal address.
_CONTACT = re.compile(r"[^\s@]+@[^\s@]+\.\w+|\d")


def responsible_problem(responsible: str | None) -> str | None:
    """Why this responsible party cannot go into a published notice, if it cannot."""
    if not responsible or not responsible.strip():
        return "no responsible party (name, and an address or email to reach them)"
    if PLACEHOLDER_TEXT.search(responsible) or "<" in responsible:
        return f"the responsible party is a placeholder: {responsible!r}"
    if len(responsible.split()) < 2 or not _CONTACT.search(responsible):
        return f"the responsible party needs a name and a way to reach them: {responsible!r}"
    return None


def notice(responsible: str) -> str:
    """The filled-in notice, in English and German."""
    problem = responsible_problem(responsible)
    if problem:
        raise ValueError(problem)
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    hours = int(RESUME_WINDOW.total_seconds() // 3600)
    return template.render(responsible=responsible.strip(), hours=hours)
