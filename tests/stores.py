"""The two progress stores under test: SQLite in a temporary folder, and DynamoDB on a
real DynamoDB-compatible server (moto in server mode) on a loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from botocore.config import Config

from skill.simulator.device import SimulatedDevice

AWS_TEST_SETTINGS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    # moto's server takes a port number only; a port the kernel just gave out is free in
    # practice (the only place left where the tests pick a port).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dynamodb_server() -> Iterator[str]:
    """A moto server process on loopback; yields its endpoint URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **AWS_TEST_SETTINGS},
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, "the DynamoDB test server stopped"
                try:
                    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the DynamoDB test server did not start"
                    time.sleep(0.2)
            yield endpoint
        finally:
            process.terminate()
            process.wait(timeout=15)


def dynamodb_resource(endpoint: str, read_timeout: float = 2, attempts: int = 2) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=AWS_TEST_SETTINGS["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_TEST_SETTINGS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_TEST_SETTINGS["AWS_SECRET_ACCESS_KEY"],
        config=Config(
            connect_timeout=1,
            read_timeout=read_timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
        ),
    )


def new_table_name() -> str:
    return f"progress-{uuid.uuid4().hex[:12]}"


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'progress.db'}"


def envelope_for(user_id: str) -> RequestEnvelope:
    """A request from this runner, as a store sees it, to read or write their record
    directly (from a device of its own, so no conversation's session is touched)."""
    event = SimulatedDevice(user_id=user_id).envelope_for_launch()
    envelope: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    return envelope
