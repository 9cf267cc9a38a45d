"""Assertions shared by the batch-operation tests: exact error bodies and fresh batches."""

from __future__ import annotations

import base64
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import BASE

IRE = "InvalidRequestException"
PEE = "ProcessEngineException"
ENGINE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")
# The engine's BatchDto, in the order the engine writes its fields.
BATCH_FIELDS = (
    "id", "type", "totalJobs", "jobsCreated", "batchJobsPerSeed", "invocationsPerBatchJob",
    "seedJobDefinitionId", "monitorJobDefinitionId", "batchJobDefinitionId", "suspended",
    "tenantId", "createUserId", "startTime", "executionStartTime",
)  # fmt: skip
BATCH_KEYS = frozenset(BATCH_FIELDS)
FRESH = {
    "jobsCreated": 0,
    "batchJobsPerSeed": 100,
    "invocationsPerBatchJob": 1,
    "suspended": False,
    "tenantId": None,
    "createUserId": None,
    "executionStartTime": None,
}


def assert_error(
    response: TestResponse, status: int, type_: str, message: str | None, code: int | None
) -> None:
    """The exact error answer: status and the whole ``{type, message, code}`` body."""
    assert response.status_code == status, response.get_json()
    assert response.get_json() == {"type": type_, "message": message, "code": code}


def assert_mapping_error(response: TestResponse) -> None:
    """Jackson could not map the body: 400 with an empty message; the mock says why in a header."""
    assert_error(response, 400, IRE, "", None)
    assert response.headers.get("X-Mock-Error-Detail")


def assert_new_batch(
    client: FlaskClient, response: TestResponse, batch_type: str, **expected: Any
) -> dict[str, Any]:
    """200 with all 14 keys and fresh-batch values (``expected`` overrides), then readable.

    ``GET /batch/{id}`` answers the same body; ``GET /history/batch/{id}`` the historic view.
    """
    assert response.status_code == 200, response.get_json()
    batch, want = response.get_json(), FRESH | {"type": batch_type} | expected
    assert set(batch) == BATCH_KEYS
    assert ENGINE_DATE.fullmatch(batch["startTime"]), batch["startTime"]
    assert {key: batch[key] for key in want} == want
    job_definitions = [batch[f"{kind}JobDefinitionId"] for kind in ("seed", "monitor", "batch")]
    assert len({batch["id"], *job_definitions}) == 4
    assert client.get(f"{BASE}/batch/{batch['id']}").get_json() == batch
    historic = client.get(f"{BASE}/history/batch/{batch['id']}").get_json()
    runtime_only = ("jobsCreated", "suspended")
    assert historic == {k: v for k, v in batch.items() if k not in runtime_only} | {
        "endTime": None,
        "removalTime": None,
    }
    return batch


def basic_auth(user: str) -> dict[str, str]:
    """HTTP Basic credentials for ``user``, whom the engine records as the batch creator."""
    token = base64.b64encode(f"{user}:secret".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def total_jobs(response: TestResponse, batch_type: str) -> int:
    """``totalJobs`` of a successful creation answer of the given batch type."""
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["type"] == batch_type
    return response.get_json()["totalJobs"]
