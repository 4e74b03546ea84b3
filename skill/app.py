"""Builds the skill: the ordered handler list and the error path. Knows nothing of doors."""

from __future__ import annotations

from functools import cache

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from skill.handlers.builtins import (
    FallbackHandler,
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
    GoToRemedyHandler,
    GoToStepHandler,
    NextHandler,
    PreviousHandler,
    RepeatHandler,
    StartOverHandler,
)
from skill.handlers.questions import (
    HeatOrIceHandler,
    HowManyStepsHandler,
    ListStepsHandler,
    TellMeMoreHandler,
    WhatsLeftHandler,
    WhyHandler,
)

# The first handler that can handle a request answers it: catch-alls come last.
REQUEST_HANDLERS: tuple[type[AbstractRequestHandler], ...] = (
    LaunchHandler,
    StartRoutineHandler,
    NextHandler,
    PreviousHandler,
    RepeatHandler,
    StartOverHandler,
    GoToStepHandler,
    GoToRemedyHandler,
    WhyHandler,
    TellMeMoreHandler,
    ListStepsHandler,
    HowManyStepsHandler,
    WhatsLeftHandler,
    HeatOrIceHandler,
    HelpHandler,
    YesHandler,
    NoHandler,
    StopHandler,
    NavigateHomeHandler,
    FallbackHandler,
    SessionEndedHandler,
    UnknownIntentHandler,
)


def build_skill() -> CustomSkill:
    builder = SkillBuilder()
    for handler in REQUEST_HANDLERS:
        builder.add_request_handler(handler())
    builder.add_exception_handler(ApologiseOnError())
    return builder.create()


@cache
def shared_skill() -> CustomSkill:
    """The process's one skill, shared by every door (Lambda, web service, simulator)."""
    return build_skill()
