"""Property tests: whatever Alexa (or anyone) sends, the skill answers with a valid
response and valid SSML, and never raises; the web service never answers 5xx."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from ask_sdk_model import LaunchRequest
from hypothesis import given
from hypothesis import strategies as st

from skill.app import build_skill
from skill.interaction_model import load_model
from skill.lambda_function import handler_for
from skill.persistence.sqlite import SQLiteStore
from skill.simulator.device import SIMULATOR_SKILL_ID, SimulatedDevice
from skill.verify import production_verifiers
from skill.webservice import create_app
from tests.checks import ALLOWED_SSML_TAGS

INTENTS = [i["name"] for i in load_model("en-US")["interactionModel"]["languageModel"]["intents"]]
REQUEST_TYPES = [
    "LaunchRequest", "IntentRequest", "SessionEndedRequest", "Alexa.Presentation.APL.UserEvent",
    "CanFulfillIntentRequest", "AudioPlayer.PlaybackStarted", "System.ExceptionEncountered",
    "Connections.Response", "Messaging.MessageReceived",
]  # fmt: skip
LOCALES = ["en-US", "en-GB", "en-IN", "de-DE", "fr-FR", "ja-JP", "xx", "", "EN-us"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Values a template might echo: markup, entities, quotes, numbers out of range.
AWKWARD = [
    "<b>",
    "fish & chips",
    'say "hi"',
    "]]>",
    "<speak>",
    "&amp;",
    "3",
    "ice bath",
    "-1",
    "99",
    "?",
    "",
]
slot_values = st.fixed_dictionaries(
    {"value": st.sampled_from(AWKWARD) | st.text(max_size=30)},
    optional={
        "resolutions": json_values,
        "confirmationStatus": st.sampled_from(["NONE", "CONFIRMED"]),
    },
)


def base_event(locale: str) -> dict[str, Any]:
    device = SimulatedDevice()
    device.start_session()
    return device.envelope(LaunchRequest(**device.request_fields()))


@st.composite
def envelopes(draw: st.DrawFn, intents_only: bool = False) -> dict[str, Any]:
    locale = draw(st.sampled_from(LOCALES) | st.text(max_size=8))
    event = base_event(locale)
    request = event["request"]
    kinds = (
        st.just("IntentRequest")
        if intents_only
        else st.sampled_from(REQUEST_TYPES) | st.text(max_size=20)
    )
    request["type"] = draw(kinds)
    request["locale"] = locale
    if request["type"] in ("IntentRequest", "CanFulfillIntentRequest") or draw(st.booleans()):
        request["intent"] = {
            "name": draw(
                st.sampled_from(
                    ["GoToRemedyIntent", "WhyIntent", "TellMeMoreIntent", "GoToStepIntent"]
                )
                | st.sampled_from(INTENTS)
                | st.text(max_size=20)
            ),
            "confirmationStatus": "NONE",
            "slots": draw(
                st.dictionaries(
                    st.sampled_from(["remedy", "number", "ordinal"]) | st.text(max_size=6),
                    slot_values,
                    max_size=3,
                )
            ),
        }
    if request["type"] == "Alexa.Presentation.APL.UserEvent":
        request["arguments"] = draw(st.lists(json_values, max_size=3))
    if request["type"] == "SessionEndedRequest":
        request["reason"] = draw(
            st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"])
        )
    choice = draw(st.sampled_from(["keep", "garbage", "missing", "user"]))
    if choice == "garbage":
        event["session"]["attributes"] = draw(
            st.dictionaries(
                st.sampled_from(["step", "offer", "last"]) | st.text(max_size=6),
                json_values,
                max_size=4,
            )
        )
    elif choice == "missing":
        del event["session"]
    elif choice == "user":
        event["context"]["System"]["user"]["userId"] = draw(st.text(max_size=30))
    return event


def check_answer(reply: Any) -> None:
    assert isinstance(reply, dict) and reply.get("version") == "1.0"
    response = reply["response"]
    assert isinstance(response, dict)
    speech = (response.get("outputSpeech") or {}).get("ssml")
    if speech is not None:
        tags = {element.tag for element in ElementTree.fromstring(speech).iter()}
        assert tags <= ALLOWED_SSML_TAGS, speech
    if response.get("shouldEndSession") is False:
        reprompt = response["reprompt"]["outputSpeech"]["ssml"]
        ElementTree.fromstring(reprompt)


class Stores:
    """One SQLite store for the whole property run, with garbage in it for some users."""

    def __init__(self, folder: Path) -> None:
        self.store = SQLiteStore(folder / "fuzz.db")
        self.handler = handler_for(build_skill(self.store))


@given(event=envelopes(), stored=json_values)
def test_any_envelope_gets_a_valid_answer(
    tmp_path_factory: Any, event: dict[str, Any], stored: Any
) -> None:
    stores = _stores(tmp_path_factory)
    user = event.get("context", {}).get("System", {}).get("user", {}).get("userId")
    if isinstance(user, str) and user:
        with stores.store._connection() as raw:
            raw.execute(
                "INSERT OR REPLACE INTO progress VALUES (?, ?, 0)", (user, json.dumps(stored))
            )
    check_answer(stores.handler(event, None))


@given(event=envelopes(intents_only=True))
def test_any_intent_with_any_slots_gets_a_valid_answer(event: dict[str, Any]) -> None:
    check_answer(handler_for(build_skill(None))(event, None))


@given(event=st.one_of(json_values, st.lists(json_values), st.text()))
def test_any_json_at_all_gets_a_valid_answer(event: Any) -> None:
    check_answer(handler_for(build_skill(None))(event, None))  # type: ignore[arg-type]


_cache: dict[str, Stores] = {}


def _stores(tmp_path_factory: Any) -> Stores:
    if "stores" not in _cache:
        _cache["stores"] = Stores(tmp_path_factory.mktemp("fuzz"))
    return _cache["stores"]


# The web service ---------------------------------------------------------------------------

_apps: dict[bool, Any] = {}


def client(verify: bool) -> Any:
    if verify not in _apps:
        # Production's checks, for the simulator's skill id (as if SKILL_ID named it).
        checks = production_verifiers(SIMULATOR_SKILL_ID) if verify else None
        app = create_app(verify=verify, verifiers=checks, skill=build_skill(None))
        _apps[verify] = app.test_client()
    return _apps[verify]


@given(
    verify=st.booleans(),
    body=st.one_of(
        st.binary(max_size=300),
        envelopes().map(lambda e: json.dumps(e).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
    ),
    headers=st.dictionaries(
        st.sampled_from(
            ["Content-Type", "SignatureCertChainUrl", "Signature-256", "Signature", "X-Anything"]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
        max_size=4,
    ),
    json_type=st.booleans(),
)
def test_the_web_service_never_answers_5xx(
    verify: bool, body: bytes, headers: dict[str, str], json_type: bool
) -> None:
    if json_type:
        headers["Content-Type"] = "application/json"
    reply = client(verify).post("/", data=body, headers=headers)
    assert reply.status_code < 500, (reply.status_code, reply.get_data()[:200])
    assert reply.is_json
    if reply.status_code == 200:
        check_answer(reply.get_json())
