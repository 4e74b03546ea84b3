"""A simulated Alexa device: builds real request envelopes and keeps the session.

Envelopes are ask-sdk-model objects serialized the way Alexa sends them, so the skill
under test cannot tell the simulator from a real device. The same device drives the
chat and the tests; `send` is the door it talks through (the Lambda handler by default).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import (
    Application,
    Context,
    Device,
    Intent,
    IntentConfirmationStatus,
    IntentRequest,
    LaunchRequest,
    Request,
    RequestEnvelope,
    Session,
    SessionEndedReason,
    SessionEndedRequest,
    Slot,
    SlotConfirmationStatus,
    SupportedInterfaces,
    User,
)
from ask_sdk_model.interfaces.alexa.presentation.apl import (
    AlexaPresentationAplInterface,
    Runtime,
    UserEvent,
)
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.interfaces.viewport import Experience, Mode, Shape, Touch, ViewportState
from ask_sdk_model.slu.entityresolution import (
    Resolution,
    Resolutions,
    Status,
    StatusCode,
    Value,
    ValueWrapper,
)

from skill.simulator.nlu import LanguageModel, SlotValue
from skill.speech import ssml_to_text
from skill.turn import carried_state

SIMULATOR_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
_serializer = DefaultSerializer()

# What an Echo Show reports about itself; a device made without it is voice-only.
WITH_SCREEN = SupportedInterfaces(
    alexa_presentation_apl=AlexaPresentationAplInterface(runtime=Runtime(max_version="2023.2"))
)

# The screen an Echo Show 8 reports (hubLandscapeLarge), sent in context.Viewport.
ECHO_SHOW_VIEWPORT = ViewportState(
    experiences=[Experience(arc_minute_width=346, arc_minute_height=216, can_rotate=False)],
    mode=Mode.HUB,
    shape=Shape.RECTANGLE,
    pixel_width=1280,
    pixel_height=800,
    dpi=160,
    current_pixel_width=1280,
    current_pixel_height=800,
    touch=[Touch.SINGLE],
)

Door = Callable[[dict[str, Any]], dict[str, Any]]


def lambda_door(event: dict[str, Any]) -> dict[str, Any]:
    from skill.lambda_function import lambda_handler

    return lambda_handler(event, None)


@dataclass
class Turn:
    """One exchange, as the chat prints it and the tests read it."""

    utterance: str | None
    request_type: str
    intent: str | None
    slots: dict[str, str | None]
    speech: str | None  # plain text
    reprompt: str | None
    card: dict[str, str] | None
    end_session: bool | None
    ssml: str | None = None
    response: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def directives(self) -> list[dict[str, Any]]:
        directives: list[dict[str, Any]] = self.response.get("response", {}).get("directives") or []
        return directives

    def as_json(self) -> dict[str, Any]:
        return {
            "utterance": self.utterance,
            "request_type": self.request_type,
            "intent": self.intent,
            "slots": self.slots,
            "speech": self.speech,
            "reprompt": self.reprompt,
            "card": self.card,
            "end_session": self.end_session,
        }


def echo_show(locale: str, user_id: str) -> SimulatedDevice:
    """A device that says what an Echo Show says about itself: APL, and its screen."""
    return SimulatedDevice(
        locale=locale,
        user_id=user_id,
        supported_interfaces=WITH_SCREEN,
        viewport=ECHO_SHOW_VIEWPORT,
    )


class SimulatedDevice:
    def __init__(
        self,
        locale: str = "en-US",
        user_id: str | None = None,
        send: Door = lambda_door,
        supported_interfaces: SupportedInterfaces | None = None,
        viewport: ViewportState | None = None,
    ) -> None:
        self.locale = locale
        # A new device is a new runner unless told otherwise, so stored progress of one
        # simulated conversation never leaks into another.
        self.user_id = user_id or f"amzn1.ask.account.simulated-{uuid.uuid4()}"
        self.send = send
        self.supported_interfaces = supported_interfaces or SupportedInterfaces()
        self.viewport = viewport
        self.model = LanguageModel.for_locale(locale)  # the closest locale with a model
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self._new_session = True

    @property
    def in_session(self) -> bool:
        return self.session_id is not None

    # What a person does -------------------------------------------------------------

    def say(self, text: str) -> Turn | None:
        """A typed line: opens the skill, starts a one-shot session, or continues this one."""
        utterance = self.model.read(text)
        if utterance is None:
            return None
        if utterance.kind == "launch":
            return self.launch(text)
        assert utterance.understanding is not None
        if utterance.kind == "one_shot" or not self.in_session:
            self.start_session()
        return self.intent(
            utterance.understanding.intent, utterance.understanding.slots, utterance=text
        )

    def launch(self, utterance: str | None = None) -> Turn:
        self.start_session()
        return self._exchange(LaunchRequest(**self.request_fields()), utterance)

    def intent(
        self,
        name: str,
        slots: Mapping[str, SlotValue | str] | None = None,
        utterance: str | None = None,
    ) -> Turn:
        """Send an intent; a plain string slot value is resolved through the model."""
        if not self.in_session:
            self.start_session()
        filled = {
            slot: (value if isinstance(value, SlotValue) else self._resolve(name, slot, value))
            for slot, value in (slots or {}).items()
        }
        request = IntentRequest(
            **self.request_fields(),
            dialog_state=None,
            intent=Intent(
                name=name,
                slots=self._slots(name, filled),
                confirmation_status=IntentConfirmationStatus.NONE,
            ),
        )
        return self._exchange(request, utterance)

    def tap(self, *arguments: object, token: str = "recovery-coach-step") -> Turn:
        """A touch on the screen: the UserEvent a SendEvent command sends."""
        if not self.in_session:
            self.start_session()
        request = UserEvent(
            **self.request_fields(),
            token=token,
            arguments=list(arguments),
            source={"type": "TouchWrapper", "handler": "Press"},
        )
        return self._exchange(request, None)

    def end_session(self, reason: SessionEndedReason = SessionEndedReason.USER_INITIATED) -> Turn:
        request = SessionEndedRequest(**self.request_fields(), reason=reason)
        turn = self._exchange(request, None)
        self.session_id = None
        return turn

    # Envelopes ----------------------------------------------------------------------

    @property
    def dialogue(self) -> dict[str, Any]:
        """What the session carries between turns, as the skill reads it back."""
        return carried_state(self.attributes)

    def continue_session(self, attributes: dict[str, Any]) -> None:
        """Carry on a session from the attributes a response left (to explore branches)."""
        self.start_session()
        self.attributes = dict(attributes)
        self._new_session = False

    def start_session(self) -> None:
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.attributes = {}
        self._new_session = True

    def request_fields(self) -> dict[str, Any]:
        return {
            "request_id": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": datetime.now(UTC).replace(microsecond=0),
            "locale": self.locale,
        }

    def envelope(self, request: Request) -> dict[str, Any]:
        application = Application(application_id=SIMULATOR_SKILL_ID)
        user = User(user_id=self.user_id)
        envelope = RequestEnvelope(
            version="1.0",
            session=Session(
                new=self._new_session,
                session_id=self.session_id,
                user=user,
                attributes=dict(self.attributes),
                application=application,
            ),
            context=Context(
                system=SystemState(
                    application=application,
                    user=user,
                    device=Device(
                        device_id="amzn1.ask.device.SIMULATOR",
                        supported_interfaces=self.supported_interfaces,
                    ),
                    api_endpoint="https://api.amazonalexa.com",
                ),
                viewport=self.viewport,
            ),
            request=request,
        )
        serialized: dict[str, Any] = _serializer.serialize(envelope)  # type: ignore[assignment]
        return serialized

    def envelope_for_launch(self) -> dict[str, Any]:
        """A launch envelope in a new session, without sending it (for door tests)."""
        self.start_session()
        return self.envelope(LaunchRequest(**self.request_fields()))

    def _exchange(self, request: Request, utterance: str | None) -> Turn:
        event = self.envelope(request)
        self._new_session = False
        reply = self.send(event)
        response = reply.get("response") or {}
        self.attributes = reply.get("sessionAttributes") or {}
        end = response.get("shouldEndSession")
        if end or end is None:
            self.session_id = None
        intent = getattr(request, "intent", None)
        ssml = (response.get("outputSpeech") or {}).get("ssml")
        reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        card = response.get("card")
        return Turn(
            utterance=utterance,
            request_type=request.object_type or "",
            intent=intent.name if intent else None,
            slots={name: slot.value for name, slot in (intent.slots or {}).items()}
            if intent
            else {},
            speech=ssml_to_text(ssml) if ssml else None,
            reprompt=ssml_to_text(reprompt) if reprompt else None,
            card={"title": card.get("title"), "text": card.get("content")} if card else None,
            end_session=end,
            ssml=ssml,
            response=reply,
        )

    def _resolve(self, intent: str, slot: str, value: str) -> SlotValue:
        understanding = self.model.slot_value(
            self.model.declared_slots(intent).get(slot, ""), value
        )
        return understanding or SlotValue(value)

    def _slots(self, intent: str, filled: dict[str, SlotValue]) -> dict[str, Slot]:
        """Every declared slot, as Alexa sends them: filled ones with value and resolutions."""
        names = list(self.model.declared_slots(intent)) + [
            n for n in filled if n not in self.model.declared_slots(intent)
        ]
        return {name: self._slot(intent, name, filled.get(name)) for name in names}

    def _slot(self, intent: str, name: str, value: SlotValue | None) -> Slot:
        if value is None:
            return Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE)
        resolutions = None
        if value.custom:
            slot_type = self.model.declared_slots(intent).get(name, "")
            authority = f"amzn1.er-authority.echo-sdk.{SIMULATOR_SKILL_ID}.{slot_type}"
            if value.resolved_id is not None:
                resolution = Resolution(
                    authority=authority,
                    status=Status(code=StatusCode.ER_SUCCESS_MATCH),
                    values=[
                        ValueWrapper(value=Value(name=value.resolved_name, id=value.resolved_id))
                    ],
                )
            else:
                resolution = Resolution(
                    authority=authority, status=Status(code=StatusCode.ER_SUCCESS_NO_MATCH)
                )
            resolutions = Resolutions(resolutions_per_authority=[resolution])
        return Slot(
            name=name,
            value=value.value,
            confirmation_status=SlotConfirmationStatus.NONE,
            resolutions=resolutions,
        )
