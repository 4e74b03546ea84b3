"""The AWS Lambda door: `skill.lambda_function.lambda_handler`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.app import shared_skill

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def handler_for(skill: CustomSkill) -> LambdaHandler:
    """A Lambda handler around a skill: event in, response envelope out."""

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        envelope = skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=context)
        serialized: dict[str, Any] = skill.serializer.serialize(response)  # type: ignore[assignment]
        return serialized

    return handle


# Built once per Lambda container, during its init phase.
lambda_handler = handler_for(shared_skill())
