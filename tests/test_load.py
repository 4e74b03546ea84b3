"""A bounded load test on loopback: many concurrent sessions against the web service as
deployed (`python -m skill serve`), once with SQLite shared between them and once with
DynamoDB (moto in server mode, on loopback). Every response is checked
as it comes, and afterwards every runner's saved place must be where their last move
left them: nothing lost, no errors."""

from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from skill import resources, routine
from skill.content import content_for
from skill.persistence.dynamodb import DynamoDbStore
from skill.persistence.sqlite import SQLiteStore
from skill.simulator.device import SimulatedDevice
from tests.stores import (
    AWS_TEST_SETTINGS,
    dynamodb_resource,
    dynamodb_server,
    envelope_for,
    new_table_name,
    sqlite_url,
)
from tests.web import post, running

pytestmark = pytest.mark.slow
SESSIONS = int(os.environ.get("LOAD_TEST_SESSIONS", "6"))  # per client: bounded by count
CLIENTS = 16
TOTAL = content_for(resources.DEFAULT_LOCALE).total  # from the data, as the stories are
MOVES = ["next", "go back", "repeat", "why", "what's left", "go to step {n}", "next"]


def expected_after(position: int | None, move: str, number: int) -> int | None:
    if move == "next":
        return routine.next_step(position, TOTAL).position
    if move == "go back":
        return routine.previous_step(position, TOTAL).position
    if move.startswith("go to step"):
        return routine.go_to(position, number, TOTAL).position
    return position


def runner_sessions(url: str, client: int, errors: list[str]) -> dict[str, int]:
    """SESSIONS sessions one after another; returns each runner's last place."""
    rng = random.Random(client)
    finished: dict[str, int] = {}
    statuses: list[int] = []

    def send(event: dict[str, Any]) -> dict[str, Any]:
        reply = post(url, json.dumps(event).encode(), {"Content-Type": "application/json"})
        statuses.append(reply.status)
        if reply.status != 200:
            errors.append(f"status {reply.status}: {reply.body}")
        return reply.body

    for session in range(SESSIONS):
        user = f"amzn1.ask.account.load-{client}-{session}"
        device = SimulatedDevice(send=send, user_id=user)
        device.launch()
        device.say("yes")
        position: int | None = 1
        for _ in range(rng.randint(1, 12)):
            move = rng.choice(MOVES)
            number = rng.randint(1, TOTAL)
            turn = device.say(move.format(n=number))  # the chat reads digits as Alexa hears them
            position = expected_after(position, move, number)
            if turn is None or not turn.ssml:
                errors.append(f"{user}: no speech for {move!r}")
                continue
            ElementTree.fromstring(turn.ssml)
            if device.dialogue.get("step") != position:
                errors.append(
                    f"{user}: after {move!r} at {device.dialogue.get('step')}, expected {position}"
                )
        device.say("stop")
        assert position is not None
        finished[user] = position
    return finished


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Any, dict[str, str]]]:
    """(SKILL_DB for the server, the same store to read back, the server's extra settings)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path), SQLiteStore(tmp_path / "progress.db"), {}
        return
    with dynamodb_server() as endpoint:
        table = new_table_name()
        dynamo = DynamoDbStore(table, resource=dynamodb_resource(endpoint))
        dynamo.create()
        settings = {**AWS_TEST_SETTINGS, "AWS_ENDPOINT_URL_DYNAMODB": endpoint}
        yield f"dynamodb://{table}", dynamo, settings


def test_many_concurrent_sessions_lose_nothing(store: tuple[str, Any, dict[str, str]]) -> None:
    url, reader, settings = store
    args = ["-m", "skill", "serve", "--no-verify"]
    errors: list[str] = []
    with running(args, env={"SKILL_DB": url, **settings}) as server:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(
                pool.map(lambda c: runner_sessions(f"{server.url}/", c, errors), range(CLIENTS))
            )
        output = server.output()
    assert errors == [], errors[:10]
    assert "progress store" not in output, "no store faults under load"
    finished = {user: step for result in results for user, step in result.items()}
    assert len(finished) == CLIENTS * SESSIONS, "every session finished"
    lost = []
    for user, step in finished.items():
        if reader.get_attributes(envelope_for(user)).get("step") != step:
            lost.append(user)
    assert lost == [], f"{len(lost)} of {len(finished)} runners' places were lost"
