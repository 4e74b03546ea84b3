"""Builds the skill: the ordered handler list and the error path. Knows nothing of doors."""

from __future__ import annotations

import logging
import os
from functools import cache

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import (
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Response

from skill import turn
from skill.answer import Answer, Decision
from skill.compose import compose, respond
from skill.envelope import EnvelopeSerializer
from skill.handlers.builtins import (
    FallbackHandler,
    ForgetProgressHandler,
    HelpHandler,
    NoHandler,
    SessionEndedHandler,
    StopHandler,
    UnknownIntentHandler,
    YesHandler,
)
from skill.handlers.errors import ApologiseOnError
from skill.handlers.launch import LaunchHandler, NavigateHomeHandler, StartRoutineHandler
from skill.handlers.navigation import (
    GoToLastStepHandler,
    GoToRemedyHandler,
    GoToStepHandler,
    NextHandler,
    PreviousHandler,
    RepeatHandler,
    ResumeHandler,
    SkipRemedyHandler,
    StartOverHandler,
)
from skill.handlers.questions import (
    HeatOrIceHandler,
    HowManyStepsHandler,
    ListStepsHandler,
    MeasureHandler,
    MedicalQuestionHandler,
    PainHandler,
    TellMeMoreHandler,
    WhatsLeftHandler,
    WhereAmIHandler,
    WhyHandler,
)
from skill.handlers.touch import TouchHandler

log = logging.getLogger(__name__)

# The first handler that can handle a request answers it: catch-alls come last. Handlers
# of one intent each never overlap, so the most frequent come first (every request asks
# each handler in turn until one answers).
REQUEST_HANDLERS: tuple[type[AbstractRequestHandler], ...] = (
    LaunchHandler,
    NextHandler,
    YesHandler,
    StartRoutineHandler,
    WhyHandler,
    TellMeMoreHandler,
    PreviousHandler,
    RepeatHandler,
    StartOverHandler,
    GoToStepHandler,
    GoToLastStepHandler,
    GoToRemedyHandler,
    SkipRemedyHandler,
    ResumeHandler,
    WhereAmIHandler,
    ListStepsHandler,
    HowManyStepsHandler,
    WhatsLeftHandler,
    HeatOrIceHandler,
    MeasureHandler,
    PainHandler,
    MedicalQuestionHandler,
    ForgetProgressHandler,
    HelpHandler,
    NoHandler,
    StopHandler,
    NavigateHomeHandler,
    FallbackHandler,
    TouchHandler,
    SessionEndedHandler,
    UnknownIntentHandler,
)


class LoadTheTurn(AbstractRequestInterceptor):
    """Before any handler: the dialogue from the session, the progress from the store."""

    def process(self, handler_input: HandlerInput) -> None:
        turn.turn_of(handler_input)


class SaveTheTurn(AbstractResponseInterceptor):
    """After every handled request: the runner's progress saved, the dialogue kept in the
    session. The error path calls the same `turn.save` (skill.handlers.errors)."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        if not turn.save(handler_input):  # a forget that failed never says it is done
            loaded = turn.turn_of(handler_input)
            failed = Decision(Answer("forget_failed", notes=False), loaded.state)
            respond(compose(loaded, failed), handler_input.response_builder)


def build_skill(store: AbstractPersistenceAdapter | None = None) -> CustomSkill:
    """The skill; with a store, runners' progress is kept between sessions."""
    builder = CustomSkillBuilder(persistence_adapter=store)  # type: ignore[arg-type]
    for handler in REQUEST_HANDLERS:
        builder.add_request_handler(handler())
    builder.add_global_request_interceptor(LoadTheTurn())
    builder.add_global_response_interceptor(SaveTheTurn())
    builder.add_exception_handler(ApologiseOnError())
    skill = builder.create()
    skill.serializer = EnvelopeSerializer()  # every door reads envelopes through it
    return skill


def store_from_environment() -> AbstractPersistenceAdapter | None:
    """The store SKILL_DB names. One that cannot even be set up (a bad URL, no AWS region)
    is logged, and the skill runs on the session alone rather than not at all."""
    from skill.persistence import SETTING, store_from_url

    try:
        return store_from_url(os.environ.get(SETTING))
    except Exception:
        log.exception("%s: the progress store could not be set up; keeping no progress", SETTING)
        return None


@cache
def shared_skill() -> CustomSkill:
    """The process's one skill, shared by every door (Lambda, web service, simulator)."""
    return build_skill(store_from_environment())
