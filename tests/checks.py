"""Checks every response must pass, whatever the conversation."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

from skill.simulator.device import Turn

# The SSML tags the skill may use; anything else is a mistake in a template.
ALLOWED_SSML_TAGS = {"speak", "break", "s", "p", "emphasis", "say-as", "sub", "prosody"}
ONE_BREATH_WORDS = 55  # a whole response, prompt included


def ssml_tags(ssml: str) -> set[str]:
    return {element.tag for element in ElementTree.fromstring(ssml).iter()}


def check_response(turn: Turn) -> None:
    """Valid SSML, short, explicit session end, and a reprompt while the session stays open."""
    response: dict[str, Any] = turn.response["response"]
    assert turn.response["version"] == "1.0"
    if turn.request_type == "SessionEndedRequest":
        assert "outputSpeech" not in response
        return
    assert isinstance(response.get("shouldEndSession"), bool), "shouldEndSession must be explicit"
    assert turn.ssml, "every answer speaks"
    assert turn.ssml.startswith("<speak>") and turn.ssml.endswith("</speak>")
    assert ssml_tags(turn.ssml) <= ALLOWED_SSML_TAGS, turn.ssml
    assert len((turn.speech or "").split()) <= ONE_BREATH_WORDS, turn.speech
    if response["shouldEndSession"]:
        assert "reprompt" not in response
    else:
        reprompt = response["reprompt"]["outputSpeech"]["ssml"]
        assert ssml_tags(reprompt) <= ALLOWED_SSML_TAGS
        assert turn.reprompt
