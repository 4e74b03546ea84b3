"""The ASK skill package: what `ask deploy --target skill-metadata` sends.

It is assembled, never copied by hand, from:

- the manifest in deploy/skill-package/skill.json: what is the same in every locale
  (category, interfaces, testing instructions, privacy answers);
- each supported locale's store facts (`deploy.locale_facts`: its listing and the
  countries it serves), written into the manifest's locales and distribution;
- the interaction models in interaction_model/;
- the icons drawn by deploy/icons.py into assets/images/ (the manifest names them as
  `file://assets/images/...` for the ASK CLI to upload);
- what the operator owns, given at build time: the endpoint, the privacy and terms URLs.

It is refused without a real endpoint and URLs, and checked once built
(`deploy.package_checks`); a package that fails is not left where the ASK CLI looks.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from deploy import DEPLOY, REPO, icons, privacy
from deploy.locale_facts import LocaleFacts, every_locale
from deploy.package_checks import ICONS, check_skill_package, endpoint_problem, url_problem
from deploy.privacy import responsible_problem

MANIFEST = DEPLOY / "skill-package" / "skill.json"
MODELS = REPO / "interaction_model"
MODEL_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")
ICON_FILES = {"smallIconUri": "icon-108.png", "largeIconUri": "icon-512.png"}


def for_locale(url: str, locale: str) -> str:
    """A URL given once for every locale; `{locale}` in it becomes each locale's code."""
    return url.replace("{locale}", locale)


def manifest_for(known: dict[str, LocaleFacts], manifest_path: Path = MANIFEST) -> dict[str, Any]:
    """The manifest with every locale's listing and the countries they serve."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    publishing = manifest["manifest"]["publishingInformation"]
    publishing["locales"] = {
        locale: {
            **facts.listing,
            **{key: f"file://{ICONS}/{name}" for key, name in ICON_FILES.items()},
        }
        for locale, facts in known.items()
    }
    publishing["distributionCountries"] = sorted(
        {country for facts in known.values() for country in facts.countries}
    )
    return manifest  # type: ignore[no-any-return]


def refusals(
    locales: list[str],
    endpoint: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    responsible: str | None = "",
) -> list[str]:
    """Why the operator's inputs cannot be published, if they cannot."""
    given = [endpoint_problem(endpoint), responsible_problem(responsible)]
    for url, what in ((privacy_url, "privacy URL"), (terms_url, "terms URL")):
        given += [url_problem(url and for_locale(url, locale), what) for locale in locales]
    return list(dict.fromkeys(problem for problem in given if problem))


def build_skill_package(
    out: Path,
    *,
    endpoint: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    responsible: str | None = None,
    known: dict[str, LocaleFacts] | None = None,
    manifest_path: Path = MANIFEST,
    models: Path = MODELS,
) -> Path:
    """Assemble the package in `out` and check it; SystemExit, saying why, if the inputs or
    the result could not be published. `known` (by default every supported locale) are the
    locales it is published in."""
    known = every_locale() if known is None else known
    refused = refusals(list(known), endpoint, privacy_url, terms_url, responsible)
    if refused:
        raise SystemExit(
            "not building the skill package:\n  - "
            + "\n  - ".join(refused)
            + "\ngive ENDPOINT=<Lambda ARN or https URL> PRIVACY_URL=<https URL> "
            "TERMS_URL=<https URL> (a URL may hold {locale}) RESPONSIBLE='<name, address or email>'"
        )
    assert endpoint and privacy_url and terms_url and responsible
    manifest = manifest_for(known, manifest_path)
    skill = manifest["manifest"]
    target = {"uri": endpoint}
    if endpoint.startswith("https://"):
        target["sslCertificateType"] = "Trusted"
    skill["apis"]["custom"]["endpoint"] = target
    skill["privacyAndCompliance"]["locales"] = {
        locale: {
            "privacyPolicyUrl": for_locale(privacy_url, locale),
            "termsOfUseUrl": for_locale(terms_url, locale),
        }
        for locale in known
    }
    # Assembled aside and moved into place only once checked: the ASK CLI deploys whatever
    # is in `out`, so a package that failed its check must not be left there.
    shutil.rmtree(out, ignore_errors=True)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    custom = partial / "interactionModels" / "custom"
    custom.mkdir(parents=True)
    (partial / "skill.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for locale in known:
        model = models / f"{locale}.json"
        if model.is_file() and MODEL_FILE.match(model.name):
            shutil.copyfile(model, custom / model.name)
    icons.write_icons(partial / ICONS)
    problems = check_skill_package(partial, known)
    if problems:
        shutil.rmtree(partial)
        raise SystemExit("the skill package is not ready:\n  - " + "\n  - ".join(problems))
    partial.rename(out)
    # The notice to publish at the privacy URL, with the responsible party filled in.
    (out.parent / "PRIVACY.md").write_text(privacy.notice(responsible), encoding="utf-8")
    return out
