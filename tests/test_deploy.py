"""What ships: the skill package, the SAM template, the Lambda artifact and the image,
checked as far as they can be without an AWS account."""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from skill import interaction_model, resources
from skill.progress import Progress
from skill.simulator.nlu import FALLBACK, LanguageModel
from tests import said

REPO = Path(__file__).parent.parent
DEPLOY = REPO / "deploy"
_spec = importlib.util.spec_from_file_location("deploy_build", DEPLOY / "build.py")
assert _spec and _spec.loader
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def manifest() -> dict[str, Any]:
    return json.loads((DEPLOY / "skill-package" / "skill.json").read_text())["manifest"]  # type: ignore[no-any-return]


def template() -> Any:
    parsed, matches = decode_str((DEPLOY / "template.yaml").read_text())
    assert not matches
    return parsed


# The skill package ---------------------------------------------------------------------

ARN = "arn:aws:lambda:eu-west-1:111122223333:function:coach:live"
PRIVACY = "https://recovery-coach.app/{locale}/privacy"
TERMS = "https://recovery-coach.app/terms"


def load_deploy_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


icons = load_deploy_module("icons")


def invocation_name(locale: str) -> str:
    return str(
        interaction_model.load_model(locale)["interactionModel"]["languageModel"]["invocationName"]
    )


def manifest_of_locales_with_models(folder: Path) -> Path:
    """The manifest, cut down to the locales whose model exists: the package checks below
    test the checker, whatever locales are still on their way."""
    whole = json.loads((DEPLOY / "skill-package" / "skill.json").read_text())
    publishing = whole["manifest"]["publishingInformation"]
    publishing["locales"] = {
        locale: info
        for locale, info in publishing["locales"].items()
        if (REPO / "interaction_model" / f"{locale}.json").is_file()
    }
    assert publishing["locales"], "no declared locale has a model"
    publishing["distributionCountries"] = sorted(
        {country for locale in publishing["locales"] for country in build.LOCALE_COUNTRIES[locale]}
    )
    path = folder / "skill.json"
    path.write_text(json.dumps(whole, ensure_ascii=False))
    return path


def built(folder: Path, **given: Any) -> Path:
    inputs = {"endpoint": ARN, "privacy_url": PRIVACY, "terms_url": TERMS, **given}
    return build.build_skill_package(  # type: ignore[no-any-return]
        folder / "package", manifest_path=manifest_of_locales_with_models(folder), **inputs
    )


def test_the_manifest_holds_what_the_ask_cli_and_the_store_need() -> None:
    skill = manifest()
    assert skill["manifestVersion"] == "1.0"
    publishing = skill["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert publishing["isAvailableWorldwide"] is False
    served = {
        country for locale in publishing["locales"] for country in build.LOCALE_COUNTRIES[locale]
    }
    assert sorted(publishing["distributionCountries"]) == sorted(served)
    for locale, info in publishing["locales"].items():
        assert info["name"] and info["summary"] and info["description"] and info["keywords"]
        assert build.DISCLAIMERS[locale.split("-")[0]] in info["description"], locale
        assert 1 <= len(info["examplePhrases"]) <= 3
        assert info["smallIconUri"] == "file://assets/images/icon-108.png"
        assert info["largeIconUri"] == "file://assets/images/icon-512.png"
    privacy = skill["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False and privacy["allowsPurchases"] is False
    assert privacy["isChildDirected"] is False and privacy["containsAds"] is False
    # What the operator owns is given when the package is built, never kept here.
    assert privacy["locales"] == {}
    custom = skill["apis"]["custom"]
    assert "endpoint" not in custom
    assert {"type": "ALEXA_PRESENTATION_APL"}.items() <= custom["interfaces"][0].items()
    assert not build.PLACEHOLDER_TEXT.search((DEPLOY / "skill-package" / "skill.json").read_text())


def test_the_manifest_declares_every_locale_with_a_model_and_only_those() -> None:
    declared = set(manifest()["publishingInformation"]["locales"])
    with_models = set(interaction_model.model_locales())
    assert not declared - with_models, f"declared without a model: {sorted(declared - with_models)}"
    assert not with_models - declared, (
        f"a model the manifest does not declare: {sorted(with_models - declared)}"
    )
    for locale in declared:
        assert (REPO / "interaction_model" / f"{locale}.json").is_file(), locale


def test_every_example_phrase_is_a_supported_phrasing_the_model_understands(locale: str) -> None:
    phrases = manifest()["publishingInformation"]["locales"][locale]["examplePhrases"]
    model = LanguageModel.for_locale(locale)
    assert model.locale == locale, "the phrases must be read by their own locale's model"
    for phrase in phrases:
        assert build.phrasing_problem(phrase, invocation_name(locale), locale.split("-")[0]) is None
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
    found = build.phrasing_problem(phrase, invocation, language)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_ask_resources_point_at_the_assembled_package(tmp_path: Path) -> None:
    resources = json.loads((DEPLOY / "ask-resources.json").read_text())
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    source = resources["profiles"]["default"]["skillMetadata"]["src"]
    assert (DEPLOY / source).resolve() == (build.BUILD / "skill-package").resolve()


def test_the_skill_package_is_assembled_from_the_manifest_and_the_models_and_checked(
    tmp_path: Path,
) -> None:
    out = build.build_skill_package(
        tmp_path / "skill-package", endpoint=ARN, privacy_url=PRIVACY, terms_url=TERMS
    )
    assert build.check_skill_package(out) == []
    skill = json.loads((out / "skill.json").read_text())["manifest"]
    declared = skill["publishingInformation"]["locales"]
    assembled = sorted(path.name for path in (out / "interactionModels" / "custom").iterdir())
    assert assembled == sorted(f"{locale}.json" for locale in declared)
    for name in assembled:
        assert (out / "interactionModels" / "custom" / name).read_bytes() == (
            REPO / "interaction_model" / name
        ).read_bytes()
    for locale, info in declared.items():
        assert info == manifest()["publishingInformation"]["locales"][locale]
        assert skill["privacyAndCompliance"]["locales"][locale] == {
            "privacyPolicyUrl": f"https://recovery-coach.app/{locale}/privacy",
            "termsOfUseUrl": TERMS,
        }
        for key, size in (("smallIconUri", 108), ("largeIconUri", 512)):
            data = (out / info[key].removeprefix("file://")).read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            width, height, _ = icons.read_png(data)
            assert (width, height) == (size, size)
    assert skill["apis"]["custom"]["endpoint"] == {"uri": ARN}


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
    ],
)
def test_the_build_refuses_a_missing_or_placeholder_endpoint_or_url(
    tmp_path: Path, given: dict[str, str | None], refusal: str
) -> None:
    with pytest.raises(SystemExit, match=refusal):
        built(tmp_path, **given)
    assert not (tmp_path / "package").exists()


def test_a_package_that_fails_its_check_is_not_left_to_deploy(tmp_path: Path) -> None:
    package = built(tmp_path)
    path = manifest_of_locales_with_models(tmp_path)
    whole = json.loads(path.read_text())
    _first_locale(whole["manifest"])["description"] = "General advice, not medical advice."
    path.write_text(json.dumps(whole))
    with pytest.raises(SystemExit, match="lacks the disclaimer"):
        build.build_skill_package(
            package, endpoint=ARN, privacy_url=PRIVACY, terms_url=TERMS, manifest_path=path
        )
    assert not package.exists() and not package.with_name("package.partial").exists()


def _break_small_icon(package: Path) -> None:
    (package / "assets/images/icon-108.png").write_bytes(icons.png(64))


def _blank_small_icon(package: Path) -> None:
    width = 108
    row = b"\x00" + b"\x10\x20\x30\xff" * width
    header = struct.pack(">IIBBBBB", width, width, 8, 6, 0, 0, 0)
    data = icons.PNG_SIGNATURE + icons._chunk(b"IHDR", header)
    data += icons._chunk(b"IDAT", zlib.compress(row * width)) + icons._chunk(b"IEND", b"")
    (package / "assets/images/icon-108.png").write_bytes(data)


def _edit_manifest(change: Any) -> Any:
    def edit(package: Path) -> None:
        whole = json.loads((package / "skill.json").read_text())
        change(whole["manifest"])
        (package / "skill.json").write_text(json.dumps(whole))

    return edit


def _first_locale(skill: dict[str, Any]) -> dict[str, Any]:
    return next(iter(skill["publishingInformation"]["locales"].values()))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_break_small_icon, "must be a 108x108 PNG"),
        (
            lambda p: (p / "assets/images/icon-512.png").write_text("not an image"),
            "not a readable PNG",
        ),
        (lambda p: (p / "assets/images/icon-512.png").unlink(), "is missing"),
        (_blank_small_icon, "is blank"),
        (
            _edit_manifest(
                lambda s: _first_locale(s).update(
                    smallIconUri="https://cdn.recovery-coach.app/i.png"
                )
            ),
            "not an icon in the package",
        ),
        (
            _edit_manifest(lambda s: _first_locale(s).update(description="General advice only.")),
            "lacks the disclaimer",
        ),
        (
            _edit_manifest(
                lambda s: _first_locale(s).update(
                    examplePhrases=["Alexa, ask recovery coach should I use ice or heat"]
                )
            ),
            "not a supported",
        ),
        (
            _edit_manifest(
                lambda s: _first_locale(s)["keywords"].append("recovery-coach.example.com")
            ),
            "placeholder",
        ),
        (_edit_manifest(lambda s: s["apis"]["custom"].pop("endpoint")), "no endpoint"),
        (
            _edit_manifest(lambda s: s["publishingInformation"]["distributionCountries"].pop()),
            "distributionCountries",
        ),
        (_edit_manifest(lambda s: s["privacyAndCompliance"]["locales"].clear()), "no privacy URL"),
        (
            lambda p: next((p / "interactionModels/custom").iterdir()).unlink(),
            "no interaction model for a declared locale",
        ),
        (
            lambda p: (p / "interactionModels/custom/fr-FR.json").write_text("{}"),
            "fr-FR: a model the manifest does not declare",
        ),
        (lambda p: (p / "skill.json").write_text("{"), "no readable manifest"),
    ],
)
def test_the_package_check_finds_what_would_fail_certification(
    tmp_path: Path, damage: Any, problem: str
) -> None:
    package = built(tmp_path)
    assert build.check_skill_package(package) == []
    assert build.main(["check-package", str(package)]) == 0
    damage(package)
    problems = build.check_skill_package(package)
    assert any(problem in found for found in problems), problems
    assert build.main(["check-package", str(package)]) == 1


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


def test_the_privacy_notice_names_all_that_is_kept_and_how_to_delete_it() -> None:
    notice = (DEPLOY / "PRIVACY.md").read_text(encoding="utf-8")
    full = Progress(step=1, last={"speech": "s", "reprompt": "r"}, saved_at=1, introduced=True)
    for key in full.to_record():
        assert f"`{key}`" in notice, key
    assert "user id" in notice and "Nutzer-ID" in notice
    names = {
        invocation_name(locale): locale
        for locale in manifest()["publishingInformation"]["locales"]
        if (REPO / "interaction_model" / f"{locale}.json").is_file()
    }
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
    languages = {locale.split("-")[0] for locale in manifest()["publishingInformation"]["locales"]}
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
    assert function["Runtime"] == f"python{build.LAMBDA_PYTHON}"
    assert (DEPLOY / function["CodeUri"]).resolve() == (build.BUILD / "lambda").resolve()
    assert function["Timeout"] < 8, "Alexa waits 8 seconds"
    assert function["Architectures"] == ["arm64"] and build.LAMBDA_ARCH == "aarch64"
    assert build.LAMBDA_PLATFORM == "manylinux2014_aarch64"
    major, minor = (int(part) for part in build.LAMBDA_PYTHON.split("."))
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
    notice = (DEPLOY / "PRIVACY.md").read_text(encoding="utf-8")
    if enabled:
        assert "35" in notice and "point-in-time" in notice.lower()
    else:
        assert "point-in-time" not in notice.lower()
        assert "deleted at once" in notice


def test_the_function_logs_to_a_group_with_a_retention_period() -> None:
    resources = template()["Resources"]
    logging = resources["SkillFunction"]["Properties"]["LoggingConfig"]
    group = resources[logging["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert 1 <= group["Properties"]["RetentionInDays"] <= 90


# The Lambda artifact --------------------------------------------------------------------


@pytest.mark.slow
def test_the_lambda_artifact_is_small_and_answers_from_a_clean_directory(tmp_path: Path) -> None:
    report = build.build_lambda(build.find_python(build.LAMBDA_PYTHON), tmp_path)
    answered = report["answered"]
    assert len(answered) == 3 * len(resources.locales()), "a launch, a next, a why per locale"
    if build.host_platform() != build.LAMBDA_PLATFORM:
        assert report["answered_by"].startswith(f"a {build.host_platform()} twin")
    native = report["native_extensions"]
    assert native and set(native.values()) == {"aarch64"}, native
    first = 3 * resources.locales().index(said.LOCALE)
    assert said.WELCOME in answered[first] and said.step(1) in answered[first + 1]
    installed = set(report["distributions"])
    assert {
        "recovery_coach",
        "ask_sdk_core",
        "jinja2",
        "ask_sdk_dynamodb_persistence_adapter",
    } <= installed
    assert not installed & {
        "flask",
        "flask_ask_sdk",
        "gunicorn",
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
    assert not [n for n in names if n.startswith("skill/_data/interaction_model/")]
    assert "skill/_compiled/sources.json" in names
    assert "skill/__pycache__/lambda_function.cpython-313.pyc" in names, "bytecode ahead"


def test_the_artifact_check_reads_architectures_from_elf_headers(tmp_path: Path) -> None:
    def elf(machine: int) -> bytes:
        return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(44)

    (tmp_path / "pkg").mkdir()
    good = (
        tmp_path / "pkg" / f"_x.cpython-{build.LAMBDA_PYTHON.replace('.', '')}-aarch64-linux-gnu.so"
    )
    good.write_bytes(elf(183))
    (tmp_path / "pkg" / "module.py").write_text("")
    assert build.check_native(tmp_path) == {"pkg/" + good.name: "aarch64"}
    (tmp_path / "pkg" / "_y.cpython-313-x86_64-linux-gnu.so").write_bytes(elf(62))
    with pytest.raises(SystemExit, match="x86_64"):
        build.check_native(tmp_path)


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
