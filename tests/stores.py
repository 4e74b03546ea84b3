"""The two progress stores under test: SQLite in a temporary folder, and DynamoDB on a
real DynamoDB-compatible server (moto in server mode) on a loopback port."""

from __future__ import annotations

import json
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


@contextmanager
def dynamodb_server() -> Iterator[str]:
    """A moto server on a loopback port the system picks (no port race), in a thread of
    this process and ready when started (no polling); yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


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
