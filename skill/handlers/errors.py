"""The catch-all error path: a logged fault and a short spoken apology, never a crash."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.conversation import Conversation

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
            return Conversation.of(handler_input).apologise()
        except Exception:
            # Only broken content (caught by the tests before release) gets here: there
            # are no words to say, so end the session rather than raise to the caller.
            log.critical("could not apologise", exc_info=True)
            return handler_input.response_builder.set_should_end_session(True).response
