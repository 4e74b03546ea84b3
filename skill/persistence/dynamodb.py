"""The ASK SDK's DynamoDB adapter, for Lambda and for web services on several machines.

Imported only when SKILL_DB chooses DynamoDB: the SDK's adapter module builds a boto3
resource as a default argument at import time, which costs start-up time and needs a
region. We pass our own resource (short timeouts: Alexa waits 8 seconds, not boto3's
default minute), never let the adapter create tables (it makes provisioned 5/5 ones;
`create_table` here makes an on-demand one), and hand numbers back as plain ints and
floats instead of DynamoDB's Decimals.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope
from botocore.config import Config

PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"
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
    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self.table_name = table_name
        self._connect(resource if resource is not None else dynamodb_resource())

    def reconnect(self) -> None:
        """A new client: new credentials and connections (after a SnapStart restore, the
        ones made at init may be stale, and must not be shared between environments)."""
        self._connect(dynamodb_resource())

    def _connect(self, resource: Any) -> None:
        self.resource = resource
        DynamoDbAdapter = _sdk_adapter_class(self.resource.meta.client.meta.region_name)
        from ask_sdk_dynamodb.partition_keygen import user_id_partition_keygen

        self.adapter = DynamoDbAdapter(
            table_name=self.table_name,
            partition_key_name=PARTITION_KEY,
            attribute_name=ATTRIBUTE_NAME,
            create_table=False,
            partition_keygen=user_id_partition_keygen,
            dynamodb_resource=self.resource,
        )

    def get_attributes(self, request_envelope: RequestEnvelope) -> Any:
        return plain(self.adapter.get_attributes(request_envelope=request_envelope))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self.adapter.save_attributes(
            request_envelope=request_envelope, attributes=for_dynamodb(attributes)
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.adapter.delete_attributes(request_envelope=request_envelope)

    def create(self) -> None:
        """Create the table, on-demand billing, if it does not exist; wait until it does."""
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


def _sdk_adapter_class(region: str) -> Any:
    """The SDK's DynamoDbAdapter class. Importing its module calls boto3.resource("dynamodb")
    for a default argument we never use, which fails when no region is configured
    anywhere (ours may come from code or tests rather than the environment): lend it our
    region for the length of the import only."""
    if (
        "ask_sdk_dynamodb.adapter" not in sys.modules
        and boto3.session.Session().region_name is None
    ):
        os.environ["AWS_DEFAULT_REGION"] = region
        try:
            import ask_sdk_dynamodb.adapter  # noqa: F401  (the import is the point)
        finally:
            del os.environ["AWS_DEFAULT_REGION"]
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    return DynamoDbAdapter


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
