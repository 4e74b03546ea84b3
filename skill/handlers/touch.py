"""Touches on a screen: the same moves, through the same code, as saying them."""

from __future__ import annotations

from typing import Any

from skill.answer import Decision
from skill.handlers.base import Handler
from skill.handlers.builtins import missed
from skill.handlers.navigation import go_to_step, next_step, previous_step
from skill.turn import Turn


class TouchHandler(Handler):
    """An APL UserEvent from the documents in responses/apl/: ["next"], ["previous"],
    or ["goto", N]. Anything else (an old or foreign document) gets the fallback."""

    def can_handle(self, handler_input: Any) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == "Alexa.Presentation.APL.UserEvent"

    def decide(self, turn: Turn, request: Any) -> Decision:
        arguments = getattr(request, "arguments", None) or []
        move = arguments[0] if arguments else None
        if move == "next":
            return next_step(turn)
        if move == "previous":
            return previous_step(turn)
        if move == "goto" and len(arguments) > 1:
            try:
                return go_to_step(turn, int(arguments[1]))
            except (TypeError, ValueError):
                pass
        return missed(turn)
