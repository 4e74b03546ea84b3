"""What ships: the skill package, the SAM template, the Lambda artifact and the image,
checked as far as they can be without an AWS account."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from skill.simulator.nlu import FALLBACK, LanguageModel

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


def test_the_manifest_holds_what_the_ask_cli_needs() -> None:
    skill = manifest()
    assert skill["manifestVersion"] == "1.0"
    publishing = skill["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    for locale, info in publishing["locales"].items():
        assert (REPO / "interaction_model" / f"{locale}.json").is_file(), locale
        assert info["name"] and info["summary"] and info["description"] and info["keywords"]
        assert "not medical advice" in info["description"]
        assert 1 <= len(info["examplePhrases"]) <= 3
    privacy = skill["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False and privacy["allowsPurchases"] is False
    assert privacy["isChildDirected"] is False and privacy["containsAds"] is False
    custom = skill["apis"]["custom"]
    assert custom["endpoint"]["uri"].startswith("arn:aws:lambda:")
    assert {"type": "ALEXA_PRESENTATION_APL"}.items() <= custom["interfaces"][0].items()


@pytest.mark.parametrize("locale", list(manifest()["publishingInformation"]["locales"]))
def test_every_example_phrase_works_through_the_model(locale: str) -> None:
    model = LanguageModel.for_locale(locale)
    for phrase in manifest()["publishingInformation"]["locales"][locale]["examplePhrases"]:
        assert phrase.startswith("Alexa, "), phrase
        utterance = model.read(phrase.removeprefix("Alexa, "))
        assert utterance is not None and utterance.kind in ("launch", "one_shot"), phrase
        if utterance.kind == "one_shot":
            assert utterance.understanding is not None
            assert utterance.understanding.intent != FALLBACK, phrase


def test_ask_resources_point_at_the_assembled_package(tmp_path: Path) -> None:
    resources = json.loads((DEPLOY / "ask-resources.json").read_text())
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    source = resources["profiles"]["default"]["skillMetadata"]["src"]
    assert (DEPLOY / source).resolve() == (build.BUILD / "skill-package").resolve()


def test_the_skill_package_is_assembled_from_the_models(tmp_path: Path) -> None:
    out = build.build_skill_package(None, tmp_path / "skill-package")
    for model in (REPO / "interaction_model").glob("*.json"):
        assembled = out / "interactionModels" / "custom" / model.name
        assert assembled.read_bytes() == model.read_bytes()
    assert json.loads((out / "skill.json").read_text())["manifest"] == manifest()
    https = build.build_skill_package("https://coach.example.com/", tmp_path / "https")
    endpoint = json.loads((https / "skill.json").read_text())["manifest"]["apis"]["custom"][
        "endpoint"
    ]
    assert endpoint == {"uri": "https://coach.example.com/", "sslCertificateType": "Trusted"}
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:coach"
    lambda_package = build.build_skill_package(arn, tmp_path / "lambda")
    assert json.loads((lambda_package / "skill.json").read_text())["manifest"]["apis"]["custom"][
        "endpoint"
    ] == {"uri": arn}


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


# The Lambda artifact --------------------------------------------------------------------


@pytest.mark.slow
def test_the_lambda_artifact_is_small_and_answers_from_a_clean_directory(tmp_path: Path) -> None:
    report = build.build_lambda(build.find_python(build.LAMBDA_PYTHON), tmp_path)
    launch, step, why = report["answered"]
    if build.host_platform() != build.LAMBDA_PLATFORM:
        assert report["answered_by"].startswith(f"a {build.host_platform()} twin")
    native = report["native_extensions"]
    assert native and set(native.values()) == {"aarch64"}, native
    assert launch.startswith("Welcome to Recovery Coach")
    assert step.startswith("Step 1 of 8")
    assert why.startswith("Gentle exercise")
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
    assert "skill/_data/responses/en-US/remedies.toml" in names
    assert "skill/_data/responses/apl/step.json" in names
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
