"""Test data made through the engine's standard calls only, so it works on any target.

Every :class:`Scenario` deploys the suite's process under a key unique to it, starts its own
instances and deletes its deployment with everything in it (cascade) at the end. Batches are only
ever started on selections that :func:`require_selection` has counted first: a selection that
could reach an instance the suite did not create is refused before the batch call is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .checks import ContractViolation, check_status
from .client import EngineClient

PROCESS_FILE = "contract-order.bpmn"
# Where each instance of the suite's process waits.
EXTERNAL_TASK_ACTIVITY = "reserve"
TIMER_ACTIVITY = "wait"
USER_TASK_ACTIVITY = "pack"


class SelectionTooWide(Exception):
    """A batch selection would reach instances the suite did not create; it was not sent."""


def unique_key(prefix: str = "contracts") -> str:
    """A process key no other run (or xdist worker) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def process_xml(key: str) -> bytes:
    """The suite's process with ``key`` as its id and topic prefix."""
    template = resources.files("contracts.processes").joinpath(PROCESS_FILE).read_text("utf-8")
    return template.replace("KEY", key).encode("utf-8")


@dataclass
class Scenario:
    """One deployment of the suite's process and the instances started from it."""

    client: EngineClient
    key: str = field(default_factory=unique_key)
    deployment_id: str = ""
    definition_id: str = ""
    instance_ids: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        """The external-task topic of this scenario's process."""
        return f"{self.key}-reserve"

    def deploy(self) -> Scenario:
        """Deploy the process (``POST /deployment/create``) under this scenario's key."""
        answer = self.client.post(
            "/deployment/create",
            data={"deployment-name": self.key, "deployment-source": "camunda-batch-contracts"},
            files={"data": (f"{self.key}.bpmn", process_xml(self.key), "application/xml")},
        )
        check_status(answer, 200)
        deployment = answer.json()
        self.deployment_id = deployment["id"]
        self.definition_id = next(iter(deployment["deployedProcessDefinitions"]))
        return self

    def start(self, count: int = 1) -> list[str]:
        """Start ``count`` instances (business key = the scenario key); return their ids."""
        started = []
        for _ in range(count):
            answer = self.client.post(
                f"/process-definition/{self.definition_id}/start",
                json={"businessKey": self.key},
            )
            check_status(answer, 200)
            started.append(answer.json()["id"])
        self.instance_ids.extend(started)
        return started

    def instance_query(self) -> dict[str, Any]:
        """A ``processInstanceQuery`` that selects exactly this scenario's running instances."""
        return {"processDefinitionId": self.definition_id}

    def external_task_query(self) -> dict[str, Any]:
        """An ``externalTaskQuery`` that selects exactly this scenario's external tasks."""
        return {"processDefinitionId": self.definition_id}

    def fail_external_tasks(self, retries: int = 0) -> list[str]:
        """Lock this scenario's external tasks and report a failure with ``retries`` left.

        With 0 retries the engine opens a ``failedExternalTask`` incident on each.
        """
        worker = f"{self.key}-worker"
        locked = self.client.post(
            "/external-task/fetchAndLock",
            json={
                "workerId": worker,
                "maxTasks": max(len(self.instance_ids), 1),
                "topics": [{"topicName": self.topic, "lockDuration": 60000}],
            },
        )
        check_status(locked, 200)
        ids = [task["id"] for task in locked.json()]
        for task_id in ids:
            failed = self.client.post(
                f"/external-task/{task_id}/failure",
                json={
                    "workerId": worker,
                    "errorMessage": "failed by the contract suite",
                    "retries": retries,
                    "retryTimeout": 0,
                },
            )
            check_status(failed, 204)
        return ids

    def terminate(self) -> list[str]:
        """Delete this scenario's running instances, so that they can be restarted."""
        for instance_id in self.instance_ids:
            check_status(self.client.delete(f"/process-instance/{instance_id}"), 204)
        return list(self.instance_ids)

    def cleanup(self) -> None:
        """Delete the deployment with its instances, jobs and history (cascade)."""
        if self.deployment_id:
            self.client.delete(
                f"/deployment/{self.deployment_id}",
                params={"cascade": "true", "skipCustomListeners": "true", "skipIoMappings": "true"},
            )

    def __enter__(self) -> Scenario:
        return self.deploy()

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


def require_selection(
    client: EngineClient, count_path: str, query: dict[str, Any], expected: int
) -> None:
    """Refuse a batch whose selection reaches more than the suite's own data.

    ``count_path`` is the count call matching the selection (``/process-instance/count`` for a
    ``processInstanceQuery``...), asked with the same query before the batch is started.
    """
    answer = client.post(count_path, json=query)
    if answer.status != 200:
        raise ContractViolation("selection-count", f"could not count: {answer.describe()}")
    count = answer.json()["count"]
    if count != expected:
        raise SelectionTooWide(
            f"{count_path} {query} counts {count}, the suite created {expected}: "
            "the batch was not started, so nothing outside the suite's data is touched"
        )
