"""Progress in DynamoDB, for Lambda and for web services on several machines.

Each runner is one item: `id` (their user id), `attributes` (the record, as the ASK
SDK's own DynamoDB adapter would keep it) and `expires_at` (epoch seconds), on which the
table's time to live deletes a record untouched past the resume window. The SDK's adapter
writes only its one attribute, with no top-level `expires_at`, so the three calls are
made here on boto3 directly, in the adapter's shape: a table it made reads the same. An
expired item DynamoDB has not yet deleted (it does so within days) counts as absent.

Imported only when SKILL_DB chooses DynamoDB. We pass our own resource (short timeouts:
Alexa waits 8 seconds, not boto3's default minute), never create tables on the fly
(`create` makes an on-demand one), and hand numbers back as plain ints and floats
instead of DynamoDB's Decimals.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope
from botocore.config import Config

from skill.persistence.sqlite import user_id_of
from skill.progress import RESUME_WINDOW

PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"
EXPIRES_AT = "expires_at"  # the table's time-to-live attribute (deploy/template.yaml)
# Each call's own bounds; a request's calls together also stop at the store deadline
# (skill.persistence.deadline), retries included.
CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"}
)


def dynamodb_resource() -> Any:
    """A DynamoDB resource from the usual AWS settings (region, endpoint, credentials).
    The region is AWS_REGION (what Lambda sets, and what the README says) if set, else
    boto3's own chain (AWS_DEFAULT_REGION, the config file), which ignores AWS_REGION."""
    region = os.environ.get("AWS_REGION", "").strip() or None
    return boto3.resource("dynamodb", config=CLIENT_CONFIG, region_name=region)


class DynamoDbStore(AbstractPersistenceAdapter):
    def __init__(
        self,
        table_name: str,
        resource: Any | None = None,
        keep_for: float = RESUME_WINDOW.total_seconds(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.keep_for, self.clock = keep_for, clock
        self._connect(resource if resource is not None else dynamodb_resource())

    def reconnect(self) -> None:
        """A new client: new credentials and connections (after a SnapStart restore, the
        ones made at init may be stale, and must not be shared between environments)."""
        self._connect(dynamodb_resource())

    def _connect(self, resource: Any) -> None:
        self.resource = resource
        self.table = resource.Table(self.table_name)

    def get_attributes(self, request_envelope: RequestEnvelope) -> Any:
        key = {PARTITION_KEY: user_id_of(request_envelope)}
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None or plain(item.get(EXPIRES_AT, 0)) <= self.clock():
            return {}
        return plain(item.get(ATTRIBUTE_NAME, {}))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self.table.put_item(
            Item={
                PARTITION_KEY: user_id_of(request_envelope),
                ATTRIBUTE_NAME: for_dynamodb(attributes),
                EXPIRES_AT: int(self.clock() + self.keep_for),
            }
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.table.delete_item(Key={PARTITION_KEY: user_id_of(request_envelope)})

    def create(self) -> None:
        """Create the table, on-demand billing, with time to live on `expires_at`, if it
        does not exist; wait until it does."""
        client = self.resource.meta.client
        existing = client.list_tables()["TableNames"]
        if self.table_name not in existing:
            client.create_table(
                TableName=self.table_name,
                KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        client.get_waiter("table_exists").wait(TableName=self.table_name)
        client.update_time_to_live(
            TableName=self.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": EXPIRES_AT},
        )


def dynamodb_store(table_name: str) -> DynamoDbStore:
    return DynamoDbStore(table_name)


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back into ints and floats, all the way down."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def for_dynamodb(value: Any) -> Any:
    """Floats as Decimals, which is all DynamoDB accepts."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: for_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [for_dynamodb(item) for item in value]
    return value
