"""The AWS Lambda door: `skill.lambda_function.lambda_handler`."""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_model import RequestEnvelope

from skill.app import shared_skill

_skill = shared_skill()  # built once per Lambda container, during its init phase


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    envelope = _skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
    response = _skill.invoke(request_envelope=envelope, context=context)
    serialized: dict[str, Any] = _skill.serializer.serialize(response)  # type: ignore[assignment]
    return serialized
