"""The catch-all error path: a logged fault and a short spoken apology, never a crash.

The session and the store are left as they were (`skill.turn.save` with nothing decided):
a turn that failed half-way leaves no half of itself behind."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import turn
from skill.content import content_for

log = logging.getLogger(__name__)


class ApologiseOnError(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        log.error(
            "request %s (%s) failed: %r",
            getattr(request, "request_id", None),
            getattr(request, "object_type", None),
            exception,
            exc_info=exception,
        )
        try:
            turn.save(handler_input)  # the one save path: with nothing decided, nothing changes
        except Exception:
            log.critical("could not save the turn after a failure", exc_info=True)
        try:
            apology = content_for(getattr(request, "locale", None)).apology
            builder = handler_input.response_builder
            builder.speak(apology.speech).ask(apology.reprompt or apology.speech)
            return builder.set_should_end_session(False).response
        except Exception:
            # Only broken content (caught by the tests before release) gets here: there
            # are no words to say, so end the session rather than raise to the caller.
            log.critical("could not apologise", exc_info=True)
            return handler_input.response_builder.set_should_end_session(True).response
