"""Reading batches: ``GET /batch``, ``/batch/statistics`` and ``/history/batch``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from . import params
from .errors import invalid_request
from .models import Batch
from .store import EngineStore

BATCH_SORT_KEYS: dict[str, Callable[[Batch], Any]] = {
    "batchId": lambda b: b.id,
    "tenantId": lambda b: b.tenant_id or "",
}
STATISTICS_SORT_KEYS = {**BATCH_SORT_KEYS, "startTime": lambda b: b.start_time}
HISTORIC_SORT_KEYS: dict[str, Callable[[Batch], Any]] = {
    **STATISTICS_SORT_KEYS,
    "endTime": lambda b: b.end_time or datetime.max.replace(tzinfo=b.start_time.tzinfo),
}


def find_batch(store: EngineStore, batch_id: str) -> Batch:
    """A running batch, or the engine's 404."""
    batch = store.batches.get(batch_id)
    if batch is None or not batch.is_running:
        raise invalid_request(f"Batch with id '{batch_id}' does not exist", status=404)
    return batch


def find_historic_batch(store: EngineStore, batch_id: str) -> Batch:
    """A batch's historic record, running or ended, or the engine's 404."""
    batch = store.batches.get(batch_id)
    if batch is None or batch.history_deleted:
        raise invalid_request(f"Historic batch with id '{batch_id}' does not exist", status=404)
    return batch


FILTERS: dict[str, params.Converter] = {
    "batchId": params.text,
    "type": params.text,
    "tenantIdIn": params.string_list,
    "withoutTenantId": params.boolean,
}
BATCH_PARAMETERS = {
    **FILTERS,
    "suspended": params.boolean,
    **params.sort_parameters(tuple(BATCH_SORT_KEYS)),
}
STATISTICS_PARAMETERS = {
    **BATCH_PARAMETERS,
    "createdBy": params.text,
    "startedBefore": params.date,
    "startedAfter": params.date,
    "withFailures": params.boolean,
    "withoutFailures": params.boolean,
    **params.sort_parameters(tuple(STATISTICS_SORT_KEYS)),
}
HISTORIC_PARAMETERS = {
    **FILTERS,
    "completed": params.boolean,
    **params.sort_parameters(tuple(HISTORIC_SORT_KEYS)),
}


def _tests(values: Mapping[str, Any]) -> list[Callable[[Batch], bool]]:
    """The batch filters among the converted ``values`` (null ones filter nothing)."""
    batch_id, batch_type = values.get("batchId"), values.get("type")
    tenants, suspended = values.get("tenantIdIn"), values.get("suspended")
    tests: list[Callable[[Batch], bool]] = []
    if batch_id is not None:
        tests.append(lambda b: b.id == batch_id)
    if batch_type is not None:
        tests.append(lambda b: b.type == batch_type)
    if tenants is not None:
        tests.append(lambda b: b.tenant_id in tenants)
    if values.get("withoutTenantId"):
        tests.append(lambda b: b.tenant_id is None)
    if suspended is not None:
        tests.append(lambda b: b.suspended == suspended)
    return tests


def _select(
    batches: list[Batch],
    tests: list[Callable[[Batch], bool]],
    values: Mapping[str, Any],
    sort_keys: dict[str, Callable[[Batch], Any]],
) -> list[Batch]:
    sorting = params.sort_pair(values)
    selected = [b for b in batches if all(test(b) for test in tests)]
    return params.sort(selected, sorting, sort_keys)


def select_batches(store: EngineStore, args: Mapping[str, str]) -> list[Batch]:
    """Running batches matching ``GET /batch`` parameters, sorted (not paged)."""
    values = params.read(args, BATCH_PARAMETERS)
    running = [b for b in store.batches.values() if b.is_running]
    return _select(running, _tests(values), values, BATCH_SORT_KEYS)


def statistics(store: EngineStore, batches: list[Batch]) -> list[dict[str, Any]]:
    """``BatchStatisticsDto``: the batch plus remaining, completed and failed job counts.

    As the engine counts: remaining = execution jobs still in the job table plus the jobs
    not yet created; completed = total - remaining; failed = execution jobs without retries.
    """
    result = []
    for batch in batches:
        execution_jobs = store.jobs_of_definition(batch.batch_job_definition.id)
        in_table = len(execution_jobs)
        failed = sum(1 for job in execution_jobs if job.retries == 0)
        remaining = in_table + batch.total_jobs - batch.jobs_created  # unclamped, as the engine
        result.append(
            {
                **batch.to_json(),
                "remainingJobs": remaining,
                "completedJobs": batch.total_jobs - remaining,
                "failedJobs": failed,
            }
        )
    return result


def select_batch_statistics(store: EngineStore, args: Mapping[str, str]) -> list[dict[str, Any]]:
    """``GET /batch/statistics``: the batch filters plus creator, start time and failures."""
    values = params.read(args, STATISTICS_PARAMETERS)
    tests = _tests(values)
    created_by, before, after = (
        values.get(n) for n in ("createdBy", "startedBefore", "startedAfter")
    )
    if created_by is not None:
        tests.append(lambda b: b.create_user_id == created_by)
    if before is not None:
        tests.append(lambda b: b.start_time <= before)
    if after is not None:
        tests.append(lambda b: b.start_time >= after)
    running = [b for b in store.batches.values() if b.is_running]
    selected = statistics(store, _select(running, tests, values, STATISTICS_SORT_KEYS))
    if values.get("withFailures"):
        selected = [s for s in selected if s["failedJobs"] > 0]
    if values.get("withoutFailures"):
        selected = [s for s in selected if s["failedJobs"] == 0]
    return selected


def select_historic_batches(store: EngineStore, args: Mapping[str, str]) -> list[Batch]:
    """``GET /history/batch``: every batch with a history record."""
    values = params.read(args, HISTORIC_PARAMETERS)
    tests = _tests(values)
    completed = values.get("completed")
    if completed is not None:
        tests.append(lambda b: (not b.is_running) == completed)
    recorded = [b for b in store.batches.values() if not b.history_deleted]
    return _select(recorded, tests, values, HISTORIC_SORT_KEYS)
