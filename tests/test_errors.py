"""The error path, run for real: a fault mid-request gives a short spoken apology, a log
line, an open session, and the runner's place as it was."""

from __future__ import annotations

import logging

import pytest

from skill.simulator.device import SimulatedDevice
from skill.speech import Speech
from tests import said
from tests.checks import check_response


def test_a_fault_in_a_handler_is_an_apology_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    device = SimulatedDevice()
    device.launch()
    device.intent("GoToStepIntent", {"number": "3"})
    assert device.dialogue["step"] == 3

    original = Speech.render

    def broken(self: Speech, kind: str, **data: object):  # type: ignore[no-untyped-def]
        if kind == "step":
            raise RuntimeError("template store on fire")
        return original(self, kind, **data)

    monkeypatch.setattr(Speech, "render", broken)
    with caplog.at_level(logging.ERROR):
        turn = device.intent("AMAZON.NextIntent")

    check_response(turn)
    assert turn.speech == "Sorry, something went wrong on my side. Please try that again."
    assert turn.end_session is False
    assert device.dialogue["step"] == 3, "the place is kept"
    assert any("template store on fire" in r.getMessage() for r in caplog.records)

    monkeypatch.undo()
    assert (device.intent("AMAZON.NextIntent").speech or "").startswith(said.step(4))
