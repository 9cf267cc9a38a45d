"""GET /batch, /batch/count, /batch/{id} and /history/batch/{id}, as the engine answers them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mockserver.engine import MockEngine
from tests.conftest import BASE


@pytest.fixture
def three_batches(client: FlaskClient, deploy, start) -> list[dict]:
    """Two suspension batches (one by a tenant definition's instances) and a modification."""
    order = deploy("order.bpmn")
    tenant_order = deploy("order.bpmn", tenant_id="tenant-a")
    instances = start(order, 3)
    tenant_instances = start(tenant_order, 2)
    bodies = [
        ("process-instance/suspended-async", {"processInstanceIds": [i.id for i in instances]}),
        (
            "modification/executeAsync",
            {
                "processDefinitionId": tenant_order.id,
                "instructions": [{"type": "cancel", "activityId": "reserveStock"}],
                "processInstanceIds": [i.id for i in tenant_instances],
            },
        ),
        ("process-instance/suspended-async", {"processInstanceIds": [instances[0].id]}),
    ]
    created = []
    for path, body in bodies:
        response = client.post(f"{BASE}/{path}", json=body)
        assert response.status_code == 200, response.get_json()
        created.append(response.get_json())
    return created


def ids(response) -> list[str]:
    return [b["id"] for b in response.get_json()]


def test_get_batch_returns_the_created_batch(client: FlaskClient, three_batches) -> None:
    for batch in three_batches:
        assert client.get(f"{BASE}/batch/{batch['id']}").get_json() == batch


def test_historic_batch_has_its_own_shape(client: FlaskClient, three_batches) -> None:
    batch = three_batches[1]
    historic = client.get(f"{BASE}/history/batch/{batch['id']}").get_json()
    assert set(historic) == (set(batch) - {"jobsCreated", "suspended"}) | {"endTime", "removalTime"}
    assert historic["endTime"] is None and historic["removalTime"] is None
    assert historic["tenantId"] == "tenant-a"
    assert {k: historic[k] for k in batch if k in historic} == {
        k: v for k, v in batch.items() if k in historic
    }


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"{BASE}/batch/nope", "Batch with id 'nope' does not exist"),
        (f"{BASE}/history/batch/nope", "Historic batch with id 'nope' does not exist"),
    ],
)
def test_unknown_batch_is_404(client: FlaskClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json() == {
        "type": "InvalidRequestException",
        "message": message,
        "code": None,
    }


def test_list_and_count_filters(client: FlaskClient, three_batches) -> None:
    suspension, modification, _ = three_batches
    everything = ids(client.get(f"{BASE}/batch"))
    assert sorted(everything) == sorted(b["id"] for b in three_batches)
    cases = {
        f"batchId={suspension['id']}": [suspension["id"]],
        "type=instance-modification": [modification["id"]],
        "tenantIdIn=tenant-a,tenant-b": [modification["id"]],
        "withoutTenantId=true": [b["id"] for b in three_batches if b["tenantId"] is None],
        "suspended=true": [],
        "suspended=false": everything,
    }
    for query, expected in cases.items():
        assert sorted(ids(client.get(f"{BASE}/batch?{query}"))) == sorted(expected), query
        count = client.get(f"{BASE}/batch/count?{query}").get_json()
        assert count == {"count": len(expected)}, query


def test_sorting_and_paging(client: FlaskClient, three_batches) -> None:
    ascending = ids(client.get(f"{BASE}/batch?sortBy=batchId&sortOrder=asc"))
    assert ascending == sorted(ascending)
    assert ids(client.get(f"{BASE}/batch?sortBy=batchId&sortOrder=desc")) == ascending[::-1]
    page = ids(client.get(f"{BASE}/batch?sortBy=batchId&sortOrder=asc&firstResult=1&maxResults=1"))
    assert page == ascending[1:2]
    assert ids(client.get(f"{BASE}/batch?maxResults=0")) == []


@pytest.mark.parametrize(
    ("query", "status", "type_", "message"),
    [
        (
            "sortBy=name&sortOrder=asc",
            400,
            "InvalidRequestException",
            "Cannot set query parameter 'sortBy' to value 'name'",
        ),
        (
            "sortBy=batchId&sortOrder=up",
            400,
            "InvalidRequestException",
            "Cannot set query parameter 'sortOrder' to value 'up'",
        ),
        (
            "sortBy=batchId",
            400,
            "InvalidRequestException",
            "Only a single sorting parameter specified. sortBy and sortOrder required",
        ),
        (
            "suspended=maybe",
            400,
            "InvalidRequestException",
            "Cannot set query parameter 'suspended' to value 'maybe': "
            "Cannot convert value maybe to java type java.lang.Boolean",
        ),
        ("firstResult=two", 404, "QueryParamException", "HTTP 404 Not Found"),
    ],
    ids=["bad-sortBy", "bad-sortOrder", "sortBy-alone", "bad-boolean", "bad-integer"],
)
def test_bad_query_parameters(
    client: FlaskClient, query: str, status: int, type_: str, message: str
) -> None:
    response = client.get(f"{BASE}/batch?{query}")
    assert response.status_code == status
    assert response.get_json() == {"type": type_, "message": message, "code": None}


def test_ended_batch_leaves_runtime_but_stays_in_history(
    client: FlaskClient, engine: MockEngine, three_batches
) -> None:
    batch = three_batches[0]
    with engine.store.lock:
        engine.store.batches[batch["id"]].end_time = engine.store.clock.now()
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404
    historic = client.get(f"{BASE}/history/batch/{batch['id']}").get_json()
    assert historic["endTime"] is not None
    assert batch["id"] not in ids(client.get(f"{BASE}/batch"))
