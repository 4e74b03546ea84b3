"""Progress kept between sessions, through real envelopes, on both stores: SQLite (the
default) and DynamoDB (on a real DynamoDB-compatible server on loopback)."""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.app import build_skill
from skill.lambda_function import handler_for
from skill.persistence import default_db_path, store_from_url
from skill.persistence.deadline import WithDeadline
from skill.persistence.dynamodb import DynamoDbStore
from skill.persistence.sqlite import SQLiteStore
from skill.simulator.device import SimulatedDevice
from tests import said
from tests.stores import (
    AWS_TEST_SETTINGS,
    dynamodb_resource,
    dynamodb_server,
    envelope_for,
    new_table_name,
    sqlite_url,
)

REPO = Path(__file__).parent.parent
DAY = 24 * 3600


@pytest.fixture(scope="module")
def dynamodb_endpoint() -> Iterator[str]:
    with dynamodb_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AbstractPersistenceAdapter:
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "progress.db")
    endpoint = request.getfixturevalue("dynamodb_endpoint")
    dynamo = DynamoDbStore(new_table_name(), resource=dynamodb_resource(endpoint))
    dynamo.create()
    return dynamo


class Runner:
    """One runner (one Alexa user) talking to a skill with the given store."""

    def __init__(self, store: AbstractPersistenceAdapter | None, user: str = "runner-1") -> None:
        self.store = store
        self.device = SimulatedDevice(
            user_id=f"amzn1.ask.account.{user}", send=self.door(build_skill(store))
        )

    @staticmethod
    def door(skill: Any) -> Any:
        handler = handler_for(skill)
        return lambda event: handler(event, None)

    def say(self, *lines: str) -> str:
        """Say each line; return the last answer's speech."""
        speech = ""
        for line in lines:
            turn = self.device.say(line)
            assert turn is not None
            speech = turn.speech or ""
        return speech

    def stored(self) -> dict[str, Any]:
        assert self.store is not None
        return self.store.get_attributes(envelope_for(self.device.user_id))  # type: ignore[no-any-return]

    def put(self, record: Any) -> None:
        """Write a record for this runner straight into the store."""
        assert self.store is not None
        self.store.save_attributes(envelope_for(self.device.user_id), record)


# Behaviour, the same on both stores ----------------------------------------------------


def test_a_runner_picks_up_where_they_stopped(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    first = runner.say("open recovery coach")
    assert said.NOTE in first
    runner.say("yes", "next", "next", "stop")
    assert runner.stored()["step"] == 3

    again = runner.say("open recovery coach")
    assert runner.device.dialogue["offer"] == "resume" and runner.device.dialogue["step"] == 3
    assert said.NOTE not in again, "the note is for the first time only"
    assert said.step(3) in runner.say("yes")
    assert runner.say("next").startswith(said.step(4))
    assert runner.stored()["step"] == 4


def test_no_to_picking_up_starts_over(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.say("open recovery coach", "skip to the massage", "stop")
    runner.say("open recovery coach")
    assert runner.device.dialogue["offer"] == "resume"
    assert said.step(1) in runner.say("no")
    assert runner.stored()["step"] == 1


def test_progress_is_saved_when_the_session_ends_after_a_failed_write(
    store: AbstractPersistenceAdapter,
) -> None:
    flaky = FlakyStore(store, fail_writes=True)
    runner = Runner(flaky)
    runner.say("open recovery coach", "go to step six")
    flaky.fail_writes = False
    runner.device.end_session()
    assert runner.stored()["step"] == 6


def test_a_finished_routine_starts_fresh(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.say("open recovery coach", "go to step eight", "stop")
    fresh = runner.say("open recovery coach")
    assert fresh.startswith(said.WELCOME) and said.NOTE not in fresh
    assert "step" not in runner.stored()


def test_progress_long_untouched_starts_fresh(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.put({"step": 3, "saved_at": int(time.time()) - 2 * DAY, "introduced": True})
    assert runner.say("open recovery coach").startswith(said.WELCOME)
    runner.put({"step": 3, "saved_at": int(time.time()) - 3600, "introduced": True})
    runner.say("open recovery coach")
    assert runner.device.dialogue["offer"] == "resume"


def test_forget_my_progress_deletes_what_is_stored(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.say("open recovery coach", "yes", "next")
    assert runner.stored()["step"] == 2
    answer = runner.say("forget my progress")
    assert answer.startswith(said.FORGOTTEN)
    assert runner.stored() == {}
    assert runner.device.in_session and runner.device.dialogue.get("step") is None
    assert said.NOTE in runner.say("stop", "open recovery coach")


def test_a_one_shot_question_keeps_the_place(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.say("open recovery coach", "go to step five", "stop")
    assert said.CONTENT.remedy_at(3).why in runner.say("ask recovery coach why elevation helps")
    assert runner.stored()["step"] == 5


def test_runners_are_kept_apart(store: AbstractPersistenceAdapter) -> None:
    ann, bob = Runner(store, "ann"), Runner(store, "bob")
    ann.say("open recovery coach", "go to step two", "stop")
    bob.say("open recovery coach", "go to step six", "stop")
    assert "step 2" in ann.say("open recovery coach")
    assert "step 6" in bob.say("open recovery coach")


def test_a_record_from_before_answers_were_kept_as_data_still_resumes(
    store: AbstractPersistenceAdapter,
) -> None:
    """Records once held the last answer's text too: they still resume, and the text is
    dropped at the next save."""
    runner = Runner(store)
    runner.say("open recovery coach", "go to step three", "stop")
    record = runner.stored()
    record["last"] = {"speech": "<audio src='x'/>", "reprompt": "old words"}
    runner.put(record)
    assert "step 3" in runner.say("open recovery coach")
    runner.say("next", "next")
    assert "last" not in runner.stored()


def test_only_what_the_feature_needs_is_stored(store: AbstractPersistenceAdapter) -> None:
    runner = Runner(store)
    runner.say("open recovery coach", "yes", "why does elevation help", "next")
    record = runner.stored()
    assert set(record) == {"step", "saved_at", "introduced"}, "no answer text is kept"
    assert isinstance(record["saved_at"], int), "plain numbers back, not Decimals"


# Faults ----------------------------------------------------------------------------------


class FlakyStore(AbstractPersistenceAdapter):
    """A real store that can be told to fail reads or writes."""

    def __init__(
        self,
        inner: AbstractPersistenceAdapter,
        *,
        fail_reads: bool = False,
        fail_writes: bool = False,
        fail_deletes: bool = False,
    ) -> None:
        self.inner, self.fail_reads, self.fail_writes = inner, fail_reads, fail_writes
        self.fail_deletes = fail_deletes

    def get_attributes(self, request_envelope: Any) -> Any:
        if self.fail_reads:
            raise ConnectionError("store unreachable")
        return self.inner.get_attributes(request_envelope)

    def save_attributes(self, request_envelope: Any, attributes: Any) -> None:
        if self.fail_writes:
            raise ConnectionError("store unreachable")
        self.inner.save_attributes(request_envelope, attributes)

    def delete_attributes(self, request_envelope: Any) -> None:
        if self.fail_deletes:
            raise ConnectionError("store unreachable")
        self.inner.delete_attributes(request_envelope)


def faults(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "progress store" in r.getMessage()]


def test_a_forget_that_failed_never_says_it_is_done(
    store: AbstractPersistenceAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    good = Runner(store)
    good.say("open recovery coach", "go to step four", "stop")
    runner = Runner(FlakyStore(store, fail_deletes=True))
    with caplog.at_level(logging.WARNING):
        runner.say("open recovery coach")
        answer = runner.say("forget my progress")
    assert said.FORGOTTEN not in answer
    assert answer.startswith(said.FORGET_FAILED)
    assert len(faults(caplog)) == 1
    assert good.stored()["step"] == 4, "nothing was deleted, and nothing claims it was"
    assert "step 4" in runner.say("where was I").lower(), "the session still knows the place"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_record_untouched_past_the_resume_window_is_deleted(
    tmp_path: Path, dynamodb_endpoint: str
) -> None:
    """Store only while used: SQLite sweeps expired records on each write; DynamoDB's time
    to live deletes by `expires_at`, and until it does an expired item reads as absent."""
    for kind in ("sqlite", "dynamodb"):
        clock = Clock()
        if kind == "sqlite":
            store: Any = SQLiteStore(tmp_path / "expiry.db", clock=clock)
        else:
            store = DynamoDbStore(
                new_table_name(), resource=dynamodb_resource(dynamodb_endpoint), clock=clock
            )
            store.create()
        ann, bob = envelope_for("ann"), envelope_for("bob")
        store.save_attributes(ann, {"step": 3})
        clock.now += DAY - 60
        assert store.get_attributes(ann) == {"step": 3}, kind
        clock.now += 120
        assert store.get_attributes(ann) == {}, f"{kind}: expired reads as absent"
        store.save_attributes(bob, {"step": 1})
        if kind == "sqlite":
            with sqlite3.connect(store.path) as raw:
                users = [row[0] for row in raw.execute("SELECT user_id FROM progress")]
            assert users == ["bob"], "the expired record is gone from the file"
        else:
            item = store.table.get_item(Key={"id": "bob"})["Item"]
            assert int(item["expires_at"]) == int(clock.now + DAY), "TTL set a window ahead"
            ttl = store.table.meta.client.describe_time_to_live(TableName=store.table_name)
            assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_a_store_that_cannot_be_read_is_never_written_over(
    store: AbstractPersistenceAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    good = Runner(store)
    good.say("open recovery coach", "go to step four", "stop")
    flaky = FlakyStore(store, fail_reads=True)
    runner = Runner(flaky)
    with caplog.at_level(logging.WARNING):
        assert runner.say("open recovery coach").startswith(said.WELCOME)
        assert runner.say("yes").startswith(said.step(1))
        assert runner.say("next").startswith(said.step(2))
    assert len(faults(caplog)) == 3, "one log line a request"
    assert good.stored()["step"] == 4, "the good record is left alone"


def test_a_corrupt_record_is_logged_and_replaced_by_new_progress(
    store: AbstractPersistenceAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    runner = Runner(store)
    if isinstance(store, SQLiteStore):
        store.create()
        with sqlite3.connect(store.path) as raw:
            raw.execute(
                "INSERT INTO progress VALUES (?, ?, ?)",
                ("amzn1.ask.account.runner-1", "{not json", store.clock()),
            )
    else:
        runner.put("garbage")  # a string where an object belongs
    with caplog.at_level(logging.WARNING):
        assert runner.say("open recovery coach").startswith(said.WELCOME)
    assert len(faults(caplog)) == 1
    runner.say("yes", "next")
    assert runner.stored()["step"] == 2


def test_an_unreachable_store_degrades_to_the_session(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    for store in (
        SQLiteStore(blocker / "progress.db"),
        DynamoDbStore(
            new_table_name(), resource=dynamodb_resource("http://127.0.0.1:9", attempts=1)
        ),
    ):
        caplog.clear()
        runner = Runner(store)
        with caplog.at_level(logging.WARNING):
            assert runner.say("open recovery coach").startswith(said.WELCOME)
            assert runner.say("yes", "next", "next").startswith(said.step(3))
            assert said.step(3) in runner.say("repeat")
        assert len(faults(caplog)) == 5


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A server that accepts connections and never answers: a store that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_slow_store_degrades_to_the_session(
    tmp_path: Path, silent_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    slow_dynamo = DynamoDbStore(
        new_table_name(), resource=dynamodb_resource(silent_endpoint, read_timeout=0.3, attempts=1)
    )
    locked = SQLiteStore(tmp_path / "locked.db", timeout=0.2)
    locked.create()
    holder = sqlite3.connect(locked.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for store in (slow_dynamo, locked):
            caplog.clear()
            runner = Runner(store)
            started = time.monotonic()
            with caplog.at_level(logging.WARNING):
                assert runner.say("open recovery coach").startswith(said.WELCOME)
                assert runner.say("yes").startswith(said.step(1))
            assert time.monotonic() - started < 5
            assert len(faults(caplog)) == 2
    finally:
        holder.close()


def test_a_store_that_cannot_be_set_up_leaves_a_working_skill(tmp_path: Path) -> None:
    env = {**os.environ, "SKILL_DB": "postgres://nope"}
    result = subprocess.run(
        [sys.executable, "-m", "skill", "chat", "--json"],
        input="yes\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "SKILL_DB" in result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert turns[1]["speech"].startswith(said.step(1))


# Several processes at once -----------------------------------------------------------------

WORKER = """
import sys
from skill.app import build_skill
from skill.lambda_function import handler_for
from skill.persistence import store_from_url
from skill.simulator.device import SimulatedDevice

worker, count = sys.argv[1], int(sys.argv[2])
handler = handler_for(build_skill(store_from_url(sys.argv[3])))
for number in range(count):
    device = SimulatedDevice(
        user_id=f"amzn1.ask.account.{worker}-{number}", send=lambda e: handler(e, None)
    )
    device.launch()
    device.intent("GoToStepIntent", {"number": str(1 + number % 7)})
    device.intent("AMAZON.NextIntent")
print("done")
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "dynamodb"])
def test_two_processes_writing_different_runners_lose_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = dict(os.environ)
    if kind == "sqlite":
        url = sqlite_url(tmp_path)
        store: AbstractPersistenceAdapter = SQLiteStore(tmp_path / "progress.db")
    else:
        endpoint = request.getfixturevalue("dynamodb_endpoint")
        table = new_table_name()
        store = DynamoDbStore(table, resource=dynamodb_resource(endpoint))
        store.create()  # type: ignore[attr-defined]
        url = f"dynamodb://{table}"
        env.update(AWS_TEST_SETTINGS, AWS_ENDPOINT_URL_DYNAMODB=endpoint)
    count = 40
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, name, str(count), url],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("ann", "bob")
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0 and out.strip() == "done", err
        assert "progress store" not in err, err
    for name in ("ann", "bob"):
        for number in range(count):
            runner = Runner(store, f"{name}-{number}")
            assert runner.stored()["step"] == 2 + number % 7, f"{name}-{number}"


# Choosing the store -----------------------------------------------------------------------


def test_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = store_from_url(None)
    assert isinstance(default, WithDeadline) and isinstance(default.store, SQLiteStore)
    assert default.store.path == default_db_path()
    assert default_db_path().name == "progress.db"
    relative = store_from_url("sqlite:///data/progress.db")
    assert isinstance(relative, WithDeadline) and isinstance(relative.store, SQLiteStore)
    assert relative.store.path == Path("data/progress.db")
    absolute = store_from_url(f"sqlite:///{tmp_path}/p.db")
    assert isinstance(absolute.store, SQLiteStore) and absolute.store.path == tmp_path / "p.db"
    assert store_from_url("none") is None
    for setting, value in AWS_TEST_SETTINGS.items():
        monkeypatch.setenv(setting, value)
    dynamo = store_from_url("dynamodb://my-table")
    assert isinstance(dynamo.store, DynamoDbStore) and dynamo.table_name == "my-table"
    for nonsense in ("postgres://x", "sqlite://", "dynamodb://", "progress.db"):
        with pytest.raises(ValueError):
            store_from_url(nonsense)


def test_the_chat_remembers_its_runner_between_runs(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "skill", "chat", "--json", "--db", sqlite_url(tmp_path)]

    def run(lines: str, *extra: str) -> list[dict[str, Any]]:
        result = subprocess.run(
            [*args, *extra],
            input=lines,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    run("yes\nnext\nnext\n")
    assert "step 3" in run("")[0]["speech"]
    assert run("", "--user", "amzn1.ask.account.someone-else")[0]["speech"].startswith(said.WELCOME)


def test_create_store_makes_an_on_demand_dynamodb_table(dynamodb_endpoint: str) -> None:
    table = new_table_name()
    env = {
        **os.environ,
        **AWS_TEST_SETTINGS,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "SKILL_DB": f"dynamodb://{table}",
    }
    for _ in range(2):  # and again, once it exists
        result = subprocess.run(
            [sys.executable, "-m", "skill", "create-store"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    described = dynamodb_resource(dynamodb_endpoint).meta.client.describe_table(TableName=table)
    assert described["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert described["Table"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


# Files, regions and deadlines ----------------------------------------------------------------


def test_the_sqlite_file_is_private_to_its_owner(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = SQLiteStore(tmp_path / "progress.db")
        store.save_attributes(envelope_for("amzn1.ask.account.private"), {"step": 2})
    finally:
        os.umask(old)
    for name in ("progress.db", "progress.db-wal", "progress.db-shm"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_a_forgotten_runner_is_gone_from_the_wal_file_too(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "progress.db")
    runner = envelope_for("amzn1.ask.account.FORGET-ME-PLEASE")
    store.save_attributes(runner, {"step": 3, "last": "ELEVATE-YOUR-LEGS"})
    store.delete_attributes(runner)
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert b"FORGET-ME-PLEASE" not in data and b"ELEVATE-YOUR-LEGS" not in data, path.name


def test_aws_region_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from skill.persistence.dynamodb import dynamodb_resource

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert dynamodb_resource().meta.client.meta.region_name == "eu-west-1"


@pytest.mark.slow
def test_a_store_that_never_answers_costs_a_request_its_budget_at_most(
    silent_endpoint: str,
) -> None:
    # The production client's timeouts and retries (2 s a read, 2 attempts).
    silent = DynamoDbStore("progress", resource=dynamodb_resource(silent_endpoint))
    store = WithDeadline(silent, budget=1.0)
    skill = build_skill(store)
    handler = handler_for(skill)
    device = SimulatedDevice(send=lambda event: handler(event, None))
    started = time.monotonic()
    launch = device.launch()
    forget = device.say("forget my progress")
    elapsed = time.monotonic() - started
    # Answered from the session both times, and well inside what the store's own
    # timeouts times retries would take (2 s a read, 2 attempts, for each call).
    assert (launch.speech or "").startswith(said.WELCOME)
    assert forget is not None and forget.speech
    assert elapsed < 2 * 4.0, elapsed
