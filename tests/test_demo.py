"""The start-up demo data: deterministic per seed, and rich enough for every endpoint."""

from __future__ import annotations

from collections import Counter

from mockserver.engine import MockEngine
from mockserver.models import ACTIVE, COMPLETED, EXTERNALLY_TERMINATED, SUSPENDED
from mockserver.routes.common import EXTENSION_KEY
from tests.conftest import BASE, make_app


def demo_engine(seed: int) -> MockEngine:
    return make_app(demo=True, seed=seed).extensions[EXTENSION_KEY]


def snapshot(engine: MockEngine) -> dict:
    store = engine.store
    return {
        "definitions": sorted(store.definitions),
        "instances": [(i.id, i.business_key, i.state) for i in store.instances.values()],
        "jobs": sorted(store.jobs),
        "tasks": sorted(store.external_tasks),
        "variables": [sorted(i.variables.items()) for i in store.instances.values()][:20],
    }


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert snapshot(demo_engine(7)) == snapshot(demo_engine(7))
    assert snapshot(demo_engine(7))["instances"] != snapshot(demo_engine(8))["instances"]


def test_reset_restores_the_seeded_state() -> None:
    engine = demo_engine(3)
    before = snapshot(engine)
    with engine.store.lock:
        engine.runtime.cancel(engine.store.running_instances()[0])
    engine.reset()
    assert snapshot(engine) == before


def test_demo_data_covers_what_the_batches_act_on() -> None:
    store = demo_engine(42).store
    versions = Counter(d.key for d in store.definitions.values())
    assert versions["invoice"] == 2 and len(versions) >= 3
    assert any(d.tenant_id for d in store.definitions.values())
    states = Counter(i.state for i in store.instances.values())
    assert len(store.instances) >= 200
    for state in (ACTIVE, SUSPENDED, COMPLETED, EXTERNALLY_TERMINATED):
        assert states[state] > 0, state
    assert any(j.retries == 0 for j in store.jobs.values())
    assert any(not t.has_retries_left for t in store.external_tasks.values())
    incident_types = {i.incident_type for i in store.incidents.values() if i.is_open}
    assert incident_types == {"failedJob", "failedExternalTask"}
    assert all(i.business_key for i in store.instances.values())


def test_every_batch_endpoint_can_act_on_demo_data() -> None:
    client = make_app(demo=True).test_client()
    engine: MockEngine = client.application.extensions[EXTENSION_KEY]
    order = engine.store.latest_definition("order")
    ended = next(
        i for i in engine.store.instances.values() if i.definition is order and not i.is_running
    )
    requests = [
        (
            "process-instance/job-retries",
            {"retries": 3, "processInstanceQuery": {"withIncident": True}},
        ),
        (
            "external-task/retries-async",
            {"retries": 1, "externalTaskQuery": {"noRetriesLeft": True}},
        ),
        (
            "process-instance/suspended-async",
            {"processInstanceQuery": {"processDefinitionKey": "invoice"}, "suspended": True},
        ),
        (
            "modification/executeAsync",
            {
                "processDefinitionId": order.id,
                "processInstanceQuery": {"processDefinitionId": order.id},
                "instructions": [{"type": "cancel", "activityId": "reserveStock"}],
            },
        ),
        (
            f"process-definition/{order.id}/restart-async",
            {
                "processInstanceIds": [ended.id],
                "instructions": [{"type": "startBeforeActivity", "activityId": "reserveStock"}],
            },
        ),
    ]
    for path, body in requests:
        response = client.post(f"{BASE}/{path}", json=body)
        assert response.status_code == 200, (path, response.get_json())
        assert response.get_json()["totalJobs"] > 0
