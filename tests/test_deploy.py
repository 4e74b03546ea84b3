"""What ships: the skill package, the SAM template, the Lambda artifact and the image,
checked as far as they can be without an AWS account."""

from __future__ import annotations

import dataclasses
import json
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from deploy import BUILD, icons, lambda_artifact, lock, package_checks
from deploy.build import main as build_main
from deploy.locale_facts import LocaleFacts, every_locale, facts
from deploy.skill_package import MANIFEST, build_skill_package
from skill import interaction_model, resources
from skill.progress import RESUME_WINDOW, Progress
from skill.simulator.nlu import FALLBACK, LanguageModel
from tests import said

REPO = Path(__file__).parent.parent
DEPLOY = REPO / "deploy"


def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text())["manifest"]  # type: ignore[no-any-return]


def template() -> Any:
    parsed, matches = decode_str((DEPLOY / "template.yaml").read_text())
    assert not matches
    return parsed


# The skill package ---------------------------------------------------------------------

ARN = "arn:aws:lambda:eu-west-1:111122223333:function:coach:live"
PRIVACY = "https://recovery-coach.app/{locale}/privacy"
TERMS = "https://recovery-coach.app/terms"
RESPONSIBLE = "Coach Operator GmbH, Laufweg 8, 10115 Berlin, privacy@recovery-coach.app"


def invocation_name(locale: str) -> str:
    return str(
        interaction_model.load_model(locale)["interactionModel"]["languageModel"]["invocationName"]
    )


def built(folder: Path, **given: Any) -> Path:
    inputs = {
        "endpoint": ARN,
        "privacy_url": PRIVACY,
        "terms_url": TERMS,
        "responsible": RESPONSIBLE,
        **given,
    }
    return build_skill_package(folder / "package", **inputs)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One package built from the checkout, for the checks that only read it."""
    return built(tmp_path_factory.mktemp("skill-package"))


def test_the_manifest_holds_what_is_the_same_in_every_locale() -> None:
    skill = manifest()
    assert skill["manifestVersion"] == "1.0"
    publishing = skill["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert publishing["isAvailableWorldwide"] is False
    # Locales and countries come from responses/ when the package is built, never from here.
    assert "locales" not in publishing and "distributionCountries" not in publishing
    privacy = skill["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False and privacy["allowsPurchases"] is False
    assert privacy["isChildDirected"] is False and privacy["containsAds"] is False
    # What the operator owns is given when the package is built, never kept here.
    assert privacy["locales"] == {}
    custom = skill["apis"]["custom"]
    assert "endpoint" not in custom
    assert {"type": "ALEXA_PRESENTATION_APL"}.items() <= custom["interfaces"][0].items()
    assert not package_checks.PLACEHOLDER_TEXT.search(MANIFEST.read_text())


def test_every_supported_locale_has_store_facts_and_a_model() -> None:
    known = every_locale()
    assert sorted(known) == sorted(resources.locales())
    assert set(interaction_model.model_locales()) == set(known)
    served = [country for locale_facts in known.values() for country in locale_facts.countries]
    assert len(served) == len(set(served)), "each country's store is served by one locale"


def test_each_locale_is_published_with_its_own_facts(locale: str, package: Path) -> None:
    """The package carries each locale's listing and countries as responses/ gives them,
    and the check finds nothing wrong with that locale."""
    own = facts(locale)
    skill = json.loads((package / "skill.json").read_text())["manifest"]
    publishing = skill["publishingInformation"]
    info = publishing["locales"][locale]
    assert {key: info[key] for key in own.listing} == own.listing
    assert own.disclaimer in info["description"]
    assert set(own.countries) <= set(publishing["distributionCountries"])
    assert skill["privacyAndCompliance"]["locales"][locale] == {
        "privacyPolicyUrl": PRIVACY.replace("{locale}", locale),
        "termsOfUseUrl": TERMS,
    }
    model = package / "interactionModels" / "custom" / f"{locale}.json"
    assert model.read_bytes() == (REPO / "interaction_model" / f"{locale}.json").read_bytes()
    for key, size in package_checks.ICON_SIZES.items():
        width, height, _ = icons.read_png(
            (package / info[key].removeprefix("file://")).read_bytes()
        )
        assert (width, height) == (size, size)
    assert not [p for p in package_checks.check_skill_package(package) if p.startswith(locale)]


def test_the_package_serves_exactly_the_countries_of_its_locales(package: Path) -> None:
    publishing = json.loads((package / "skill.json").read_text())["manifest"][
        "publishingInformation"
    ]
    served = {
        country for locale_facts in every_locale().values() for country in locale_facts.countries
    }
    assert sorted(publishing["distributionCountries"]) == sorted(served)
    assert sorted(publishing["locales"]) == sorted(resources.locales())
    assert package_checks.check_skill_package(package) == []


def test_every_example_phrase_is_a_supported_phrasing_the_model_understands(locale: str) -> None:
    own = facts(locale)
    phrases = own.listing["examplePhrases"]
    model = LanguageModel.for_locale(locale)
    assert model.locale == locale, "the phrases must be read by their own locale's model"
    for phrase in phrases:
        assert (
            package_checks.phrasing_problem(phrase, invocation_name(locale), own.language) is None
        )
        utterance = model.read(phrase.removeprefix("Alexa, "))
        assert utterance is not None and utterance.kind in ("launch", "one_shot"), phrase
        if utterance.kind == "one_shot":
            assert utterance.understanding is not None
            assert utterance.understanding.intent != FALLBACK, phrase
    assert any(model.read(p.removeprefix("Alexa, ")).kind == "launch" for p in phrases)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("phrase", "invocation", "language", "problem"),
    [
        ("Alexa, open recovery coach", "recovery coach", "en", None),
        ("Alexa, ask recovery coach to explain why elevation helps", "recovery coach", "en", None),
        ("Alexa, ask recovery coach whether to use ice or heat", "recovery coach", "en", None),
        (
            "Alexa, ask recovery coach should I use ice or heat",
            "recovery coach",
            "en",
            "not a supported",
        ),
        (
            "Alexa, ask recovery coach why elevation helps",
            "recovery coach",
            "en",
            "not a supported",
        ),
        ("ask recovery coach to skip to the ice bath", "recovery coach", "en", "wake word"),
        ("Alexa, open recovery buddy", "recovery coach", "en", "not a supported"),
        ("Alexa, öffne muskelkater coach", "muskelkater coach", "de", None),
        ("Alexa, frag muskelkater coach, warum hochlegen hilft", "muskelkater coach", "de", None),
        ("Alexa, frag muskelkater coach hochlegen", "muskelkater coach", "de", "not a supported"),
        ("Alexa, ouvre coach", "coach", "fr", "no supported phrasings"),
    ],
)
def test_example_phrases_need_amazons_phrasing_and_a_connecting_word(
    phrase: str, invocation: str, language: str, problem: str | None
) -> None:
    found = package_checks.phrasing_problem(phrase, invocation, language)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_ask_resources_point_at_the_assembled_package() -> None:
    ask = json.loads((DEPLOY / "ask-resources.json").read_text())
    assert ask["askcliResourcesVersion"] == "2020-03-31"
    source = ask["profiles"]["default"]["skillMetadata"]["src"]
    assert (DEPLOY / source).resolve() == (BUILD / "skill-package").resolve()


def test_an_https_endpoint_is_marked_as_having_a_trusted_certificate(tmp_path: Path) -> None:
    out = built(tmp_path, endpoint="https://coach.recovery-coach.app/")
    endpoint = json.loads((out / "skill.json").read_text())["manifest"]["apis"]["custom"][
        "endpoint"
    ]
    assert endpoint == {"uri": "https://coach.recovery-coach.app/", "sslCertificateType": "Trusted"}


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"endpoint": None}, "no endpoint"),
        ({"endpoint": ""}, "no endpoint"),
        ({"endpoint": "https://coach.example.com/"}, "placeholder"),
        ({"endpoint": "https://localhost:8443/"}, "placeholder"),
        ({"endpoint": "https://coach.test/"}, "placeholder"),
        ({"endpoint": "http://coach.recovery-coach.app/"}, "https"),
        ({"endpoint": "https://203.0.113.7/"}, "IP address"),
        (
            {"endpoint": "arn:aws:lambda:us-east-1:123456789012:function:recovery-coach"},
            "placeholder",
        ),
        ({"endpoint": "arn:aws:lambda:us-east-1:111122223333"}, "not a Lambda function ARN"),
        ({"privacy_url": None}, "no privacy URL"),
        ({"privacy_url": "https://example.org/privacy"}, "placeholder"),
        ({"privacy_url": "https://www.example.net/{locale}/privacy"}, "placeholder"),
        ({"terms_url": ""}, "no terms URL"),
        ({"terms_url": "https://recovery-coach.invalid/terms"}, "placeholder"),
        ({"terms_url": "ftp://recovery-coach.app/terms"}, "https"),
        ({"responsible": None}, "no responsible party"),
        ({"responsible": "  "}, "no responsible party"),
        ({"responsible": "Operator"}, "a name and a way to reach them"),
        ({"responsible": "<your name>, <your address>"}, "placeholder"),
        ({"responsible": "Coach Ltd, privacy@example.com"}, "placeholder"),
    ],
)
def test_the_build_refuses_a_missing_or_placeholder_endpoint_url_or_responsible_party(
    tmp_path: Path, given: dict[str, str | None], refusal: str
) -> None:
    with pytest.raises(SystemExit, match=refusal):
        built(tmp_path, **given)
    assert not (tmp_path / "package").exists()


def test_a_package_that_fails_its_check_is_not_left_to_deploy(tmp_path: Path, locale: str) -> None:
    package = built(tmp_path)
    known = every_locale()
    own = known[locale]
    weakened = own.listing["description"].replace(own.disclaimer, "general advice")
    known[locale] = dataclasses.replace(own, listing={**own.listing, "description": weakened})
    with pytest.raises(SystemExit, match=f"{locale}: the description lacks the disclaimer"):
        build_skill_package(
            package,
            endpoint=ARN,
            privacy_url=PRIVACY,
            terms_url=TERMS,
            responsible=RESPONSIBLE,
            known=known,
        )
    assert not package.exists() and not package.with_name("package.partial").exists()


# What would fail certification in one locale, made from that locale's own data: each must
# be found, and named with the locale.
Damage = Callable[[dict[str, Any], str, LocaleFacts, Path], None]


def _listing(skill: dict[str, Any], locale: str) -> dict[str, Any]:
    return skill["publishingInformation"]["locales"][locale]  # type: ignore[no-any-return]


LOCALE_DAMAGES: dict[str, tuple[Damage, str]] = {
    "description without the disclaimer": (
        lambda s, loc, f, p: _listing(s, loc).update(
            description=_listing(s, loc)["description"].replace(f.disclaimer, "")
        ),
        "lacks the disclaimer",
    ),
    "description over the store's limit": (
        lambda s, loc, f, p: _listing(s, loc).update(
            description=f.listing["description"] * (package_checks.LIMITS["description"] // 10)
        ),
        "longer than",
    ),
    "no name": (lambda s, loc, f, p: _listing(s, loc).pop("name"), "no name"),
    "no keywords": (lambda s, loc, f, p: _listing(s, loc).update(keywords=[]), "keywords"),
    "too many example phrases": (
        lambda s, loc, f, p: _listing(s, loc)["examplePhrases"].extend(
            f.listing["examplePhrases"] * package_checks.MAX_EXAMPLE_PHRASES
        ),
        "example phrases",
    ),
    "a phrase without a connecting word": (
        lambda s, loc, f, p: _listing(s, loc).update(
            examplePhrases=[f"Alexa, {invocation_name(loc)}"]
        ),
        "not a supported",
    ),
    "an icon from elsewhere": (
        lambda s, loc, f, p: _listing(s, loc).update(
            smallIconUri="https://cdn.recovery-coach.app/i.png"
        ),
        "not an icon in the package",
    ),
    "a country it serves left out": (
        lambda s, loc, f, p: s["publishingInformation"]["distributionCountries"].remove(
            f.countries[0]
        ),
        "distributionCountries",
    ),
    "no privacy URL": (
        lambda s, loc, f, p: s["privacyAndCompliance"]["locales"].pop(loc),
        "no privacy URL",
    ),
    "no model": (
        lambda s, loc, f, p: (p / "interactionModels" / "custom" / f"{loc}.json").unlink(),
        "no interaction model",
    ),
}


@pytest.mark.parametrize("damage", sorted(LOCALE_DAMAGES))
def test_the_package_check_finds_what_would_fail_certification_in_each_locale(
    tmp_path: Path, package: Path, locale: str, damage: str
) -> None:
    damaged = tmp_path / "package"
    subprocess.run(["cp", "-r", str(package), str(damaged)], check=True)
    change, problem = LOCALE_DAMAGES[damage]
    whole = json.loads((damaged / "skill.json").read_text())
    change(whole["manifest"], locale, facts(locale), damaged)
    (damaged / "skill.json").write_text(json.dumps(whole, ensure_ascii=False))
    problems = package_checks.check_skill_package(damaged)
    assert any(problem in found and locale in found for found in problems), problems
    assert build_main(["check-package", str(damaged)]) == 1


def _blank_png(size: int) -> bytes:
    row = b"\x00" + b"\x10\x20\x30\xff" * size
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    data = icons.PNG_SIGNATURE + icons._chunk(b"IHDR", header)
    return data + icons._chunk(b"IDAT", zlib.compress(row * size)) + icons._chunk(b"IEND", b"")


ICON_DAMAGES: dict[str, tuple[Callable[[Path, int], None], str]] = {
    "the wrong size": (lambda path, size: path.write_bytes(icons.png(size // 2)), "must be a"),
    "not a PNG": (lambda path, size: path.write_text("not an image"), "not a readable PNG"),
    "missing": (lambda path, size: path.unlink(), "is missing"),
    "blank": (lambda path, size: path.write_bytes(_blank_png(size)), "is blank"),
}


@pytest.mark.parametrize("key", sorted(package_checks.ICON_SIZES))
@pytest.mark.parametrize("damage", sorted(ICON_DAMAGES))
def test_the_package_check_finds_a_bad_icon(
    tmp_path: Path, package: Path, key: str, damage: str
) -> None:
    damaged = tmp_path / "package"
    subprocess.run(["cp", "-r", str(package), str(damaged)], check=True)
    uri = next(
        iter(
            json.loads((damaged / "skill.json").read_text())["manifest"]["publishingInformation"][
                "locales"
            ].values()
        )
    )[key]
    change, problem = ICON_DAMAGES[damage]
    change(damaged / uri.removeprefix("file://"), package_checks.ICON_SIZES[key])
    problems = package_checks.check_skill_package(damaged)
    assert any(problem in found and key in found for found in problems), problems


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            lambda p: (p / "interactionModels/custom/fr-FR.json").write_text("{}"),
            "fr-FR: a model the manifest does not declare",
        ),
        (lambda p: (p / "skill.json").write_text("{"), "no readable manifest"),
        (
            lambda p: (p / "skill.json").write_text(
                (p / "skill.json").read_text().replace("sore muscles", "coach.example.com")
            ),
            "skill.json: a placeholder",
        ),
        (  # deep inside a model of megabytes, in capitals
            lambda p: (p / "interactionModels/custom/en-US.json").write_text(
                (p / "interactionModels/custom/en-US.json")
                .read_text()
                .replace('"samples": [', '"samples": ["ask Coach.Example.COM", ', 1)
            ),
            "interactionModels/custom/en-US.json: a placeholder ('Example.COM')",
        ),
    ],
)
def test_the_package_check_finds_what_no_locale_owns(
    tmp_path: Path, package: Path, damage: Callable[[Path], None], problem: str
) -> None:
    damaged = tmp_path / "package"
    subprocess.run(["cp", "-r", str(package), str(damaged)], check=True)
    damage(damaged)
    assert any(problem in found for found in package_checks.check_skill_package(damaged))


def test_a_locale_without_store_facts_is_refused(package: Path, locale: str) -> None:
    """A package declaring a locale that responses/ does not support fails its check."""
    others = {loc: f for loc, f in every_locale().items() if loc != locale}
    problems = package_checks.check_skill_package(package, others)
    assert f"{locale}: not a supported locale (no responses/{locale}/locale.toml)" in problems


def test_the_endpoint_is_checked_in_the_package(tmp_path: Path, package: Path) -> None:
    damaged = tmp_path / "package"
    subprocess.run(["cp", "-r", str(package), str(damaged)], check=True)
    whole = json.loads((damaged / "skill.json").read_text())
    whole["manifest"]["apis"]["custom"].pop("endpoint")
    (damaged / "skill.json").write_text(json.dumps(whole))
    assert "no endpoint given" in package_checks.check_skill_package(damaged)


def test_the_icons_are_drawn_the_same_every_time_and_read_back() -> None:
    for size in (108, 512):
        data = icons.png(size)
        assert data == icons.png(size)
        width, height, rows = icons.read_png(data)
        assert (width, height) == (size, size)
        middle = rows[size // 2]
        pixels = {middle[i : i + 4] for i in range(0, len(middle), 4)}
        assert bytes((*icons.EMBLEM, 255)) in pixels and bytes((*icons.BACKGROUND, 255)) in pixels
        corner = rows[0][:4]
        assert corner[3] == 0, "outside the disc is transparent"


def notice_sections(tmp_path: Path) -> dict[str, str]:
    """The notice the build writes beside the package, split into its two languages."""
    text = (built(tmp_path).parent / "PRIVACY.md").read_text(encoding="utf-8")
    english, german = text.split("\n---\n")
    return {"en": english, "de": german}


def test_the_privacy_notice_lists_exactly_the_fields_a_record_holds_in_both_languages(
    tmp_path: Path, dynamodb_item_fields: set[str]
) -> None:
    full = Progress(step=1, saved_at=1, introduced=True, skipped=frozenset({7}))
    kept = set(full.to_record()) | dynamodb_item_fields
    for language, section in notice_sections(tmp_path).items():
        listed = set(re.findall(r"^\|[^|]*\| `(\w+)` \|", section, re.MULTILINE))
        assert listed == kept, language
        assert RESPONSIBLE in section, language
        hours = int(RESUME_WINDOW.total_seconds() // 3600)
        assert f"{hours} " in section, language
    assert "Art. 77" in notice_sections(tmp_path)["de"], "the right to complain"


@pytest.fixture
def dynamodb_item_fields() -> set[str]:
    """The fields a DynamoDB item holds beside the record and its key (time to live)."""
    from skill.persistence import dynamodb

    return {dynamodb.EXPIRES_AT}


def test_the_privacy_notice_names_all_that_is_kept_and_how_to_delete_it(tmp_path: Path) -> None:
    notice = (built(tmp_path).parent / "PRIVACY.md").read_text(encoding="utf-8")
    assert "user id" in notice and "Nutzer-ID" in notice
    names = {invocation_name(locale): locale for locale in resources.locales()}
    commands = re.findall(r"`(Alexa, [^`]+)`", notice)
    spoken_in = set()
    for command in commands:
        said = " ".join(re.sub(r"[^\w\s']", " ", command.lower()).split())
        locale = next((loc for name, loc in names.items() if f" {name} " in f" {said} "), None)
        assert locale is not None, f"no model has the invocation name in {command!r}"
        spoken_in.add(locale.split("-")[0])
        utterance = LanguageModel.for_locale(locale).read(command.removeprefix("Alexa, "))
        assert utterance is not None and utterance.kind == "one_shot", command
        assert utterance.understanding is not None
        assert utterance.understanding.intent == "ForgetProgressIntent", command
    languages = {locale.split("-")[0] for locale in resources.locales()}
    assert spoken_in == languages, "one way to delete in each language the skill speaks"


# The SAM template ------------------------------------------------------------------------


def test_cfn_lint_passes_on_the_sam_template() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(DEPLOY / "template.yaml")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_wires_lambda_alexa_and_dynamodb() -> None:
    resources = template()["Resources"]
    function = resources["SkillFunction"]["Properties"]
    assert function["Handler"] == "skill.lambda_function.lambda_handler"
    assert function["Runtime"] == f"python{lock.LAMBDA_PYTHON}"
    assert (DEPLOY / function["CodeUri"]).resolve() == (BUILD / "lambda").resolve()
    assert function["Timeout"] < 8, "Alexa waits 8 seconds"
    assert function["Architectures"] == ["arm64"] and lock.LAMBDA_ARCH == "aarch64"
    assert lock.LAMBDA_PLATFORM == "manylinux2014_aarch64"
    major, minor = (int(part) for part in lock.LAMBDA_PYTHON.split("."))
    assert (major, minor) >= (3, 12), "SnapStart needs Python 3.12 or later"
    assert function["Environment"]["Variables"]["SKILL_DB"] == {
        "Fn::Sub": "dynamodb://${ProgressTable}"
    }
    assert function["Events"]["Alexa"] == {
        "Type": "AlexaSkill",
        "Properties": {"SkillId": {"Ref": "SkillId"}},
    }
    table = resources["ProgressTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_alexa_calls_a_snapstart_alias_of_a_published_version() -> None:
    parsed = template()
    function = parsed["Resources"]["SkillFunction"]["Properties"]
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    alias = function["AutoPublishAlias"]
    assert alias
    # The endpoint the manifest gets is the alias (SAM's `<function>.Alias`), never the
    # unqualified function, which runs $LATEST, which SnapStart does not apply to.
    outputs = parsed["Outputs"]
    assert outputs["SkillEndpointArn"]["Value"] == {"Ref": "SkillFunction.Alias"}
    assert not [o for o in outputs.values() if "SkillFunction.Arn" in json.dumps(o)]


def _statements(policies: list[Any]) -> list[dict[str, Any]]:
    """Every statement the function's policies grant, SAM policy templates refused: each
    of those (DynamoDBCrudPolicy and the like) grants more than its name says."""
    statements = []
    for policy in policies:
        assert set(policy) == {"Statement"}, f"a policy that is not inline statements: {policy}"
        statements += policy["Statement"]
    return statements


def test_the_function_may_only_get_put_and_delete_items_in_its_own_table() -> None:
    resources = template()["Resources"]
    granted = _statements(resources["SkillFunction"]["Properties"]["Policies"])
    assert granted, "the function needs its table"
    actions: set[str] = set()
    for statement in granted:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == {"Fn::GetAtt": ["ProgressTable", "Arn"]}, statement
        listed = statement["Action"]
        actions |= {listed} if isinstance(listed, str) else set(listed)
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}
    assert resources["ProgressTable"]["Type"] == "AWS::DynamoDB::Table"


def test_the_table_outlives_the_stack_and_expires_items() -> None:
    table = template()["Resources"]["ProgressTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_point_in_time_recovery_agrees_with_the_privacy_notice() -> None:
    """A deleted item stays restorable for up to 35 days under point-in-time recovery: the
    notice's "deleted at once" holds only with it off, or the notice must say so."""
    table = template()["Resources"]["ProgressTable"]["Properties"]
    enabled = table.get("PointInTimeRecoverySpecification", {}).get(
        "PointInTimeRecoveryEnabled", False
    )
    notice = (DEPLOY / "PRIVACY.md.j2").read_text(encoding="utf-8")
    assert "point-in-time recovery is off" in notice, "the notice says how backups bear on it"
    assert not enabled, "or the notice must give the 35 days a deleted record stays restorable"


def test_the_function_logs_to_a_group_with_a_retention_period() -> None:
    resources = template()["Resources"]
    logging = resources["SkillFunction"]["Properties"]["LoggingConfig"]
    group = resources[logging["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    days = group["Properties"]["RetentionInDays"]
    assert 1 <= days <= 90
    notice = (DEPLOY / "PRIVACY.md.j2").read_text(encoding="utf-8")
    assert f"kept for {days} days" in notice and f"{days} Tage aufbewahrt" in notice


# The Lambda artifact --------------------------------------------------------------------


@pytest.mark.slow
def test_the_lambda_artifact_is_small_and_answers_from_a_clean_directory(tmp_path: Path) -> None:
    report = lambda_artifact.build_lambda(lambda_artifact.find_python(lock.LAMBDA_PYTHON), tmp_path)
    answered = report["answered"]
    assert len(answered) == 3 * len(resources.locales()), "a launch, a next, a why per locale"
    if lambda_artifact.host_platform() != lock.LAMBDA_PLATFORM:
        assert report["answered_by"].startswith(f"a {lambda_artifact.host_platform()} twin")
    native = report["native_extensions"]
    assert native and set(native.values()) == {"aarch64"}, native
    first = 3 * resources.locales().index(said.LOCALE)
    assert said.WELCOME in answered[first] and said.step(1) in answered[first + 1]
    installed = set(report["distributions"])
    assert {
        "recovery_coach",
        "ask_sdk_core",
        "jinja2",
    } <= installed
    assert not installed & {
        "flask",
        "flask_ask_sdk",
        "waitress",
        "cryptography",
        "boto3",
        "botocore",
    }
    assert report["unzipped_bytes"] < 15 * 2**20, "keep only what runs"
    with __import__("zipfile").ZipFile(tmp_path / "lambda.zip") as archive:
        names = archive.namelist()
    assert "skill/lambda_function.py" in names
    assert "skill/_data/responses/en/remedies.toml" in names
    assert "skill/_data/responses/apl/step.json" in names
    # Of what users say, Lambda keeps only the built-in number and ordinal words that
    # skill/slots.py folds slot values with: no models, no sentence templates.
    heard_words = [n for n in names if n.startswith("skill/_data/interaction_model/")]
    assert heard_words and all(n.endswith("/_builtin.json") for n in heard_words), heard_words
    assert "skill/_compiled/sources.json" in names
    assert "skill/__pycache__/lambda_function.cpython-313.pyc" in names, "bytecode ahead"


def test_the_artifact_check_reads_architectures_from_elf_headers(tmp_path: Path) -> None:
    def elf(machine: int) -> bytes:
        return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(44)

    (tmp_path / "pkg").mkdir()
    good = (
        tmp_path / "pkg" / f"_x.cpython-{lock.LAMBDA_PYTHON.replace('.', '')}-aarch64-linux-gnu.so"
    )
    good.write_bytes(elf(183))
    (tmp_path / "pkg" / "module.py").write_text("")
    assert lambda_artifact.check_native(tmp_path) == {"pkg/" + good.name: "aarch64"}
    (tmp_path / "pkg" / "_y.cpython-313-x86_64-linux-gnu.so").write_bytes(elf(62))
    with pytest.raises(SystemExit, match="x86_64"):
        lambda_artifact.check_native(tmp_path)


# The container image ---------------------------------------------------------------------


def test_the_image_runs_the_web_service_as_a_non_root_user_with_a_health_check() -> None:
    lines = [
        line.strip()
        for line in (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM "))]
    stage = lines[lines.index(final) :]
    users = [line.split()[1] for line in stage if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    health = next(line for line in stage if line.startswith("HEALTHCHECK"))
    assert "/healthz" in health
    command = json.loads(
        next(line for line in stage if line.startswith("CMD ")).removeprefix("CMD ")
    )
    assert command[:4] == ["python", "-m", "skill", "serve"]
    assert "--no-verify" not in command
    # No default skill id: `serve` refuses to start until the operator gives the real one.
    assert not [line for line in stage if line.startswith(("ENV", "ARG")) and "SKILL_ID" in line]
    assert "-e SKILL_ID=" in (DEPLOY / "Dockerfile").read_text()
    for line in lines:
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), source
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert re.search(r"^\*$", ignore, re.MULTILINE), "the build context is only what it needs"
