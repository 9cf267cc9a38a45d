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


def _common_filters(args: Mapping[str, str]) -> list[Callable[[Batch], bool]]:
    batch_id, batch_type = args.get("batchId"), args.get("type")
    tenants = params.string_list(args, "tenantIdIn")
    without_tenant = params.boolean(args, "withoutTenantId")
    tests: list[Callable[[Batch], bool]] = []
    if batch_id is not None:
        tests.append(lambda b: b.id == batch_id)
    if batch_type is not None:
        tests.append(lambda b: b.type == batch_type)
    if tenants is not None:
        tests.append(lambda b: b.tenant_id in tenants)
    if without_tenant:
        tests.append(lambda b: b.tenant_id is None)
    return tests


def _select(
    batches: list[Batch],
    tests: list[Callable[[Batch], bool]],
    args: Mapping[str, str],
    sort_keys: dict[str, Callable[[Batch], Any]],
) -> list[Batch]:
    sorting = params.sorting(args, tuple(sort_keys))
    selected = [b for b in batches if all(test(b) for test in tests)]
    return params.sort(selected, sorting, sort_keys)


def _suspension_filter(args: Mapping[str, str]) -> list[Callable[[Batch], bool]]:
    suspended = params.boolean(args, "suspended")
    return [] if suspended is None else [lambda b: b.suspended == suspended]


def select_batches(store: EngineStore, args: Mapping[str, str]) -> list[Batch]:
    """Running batches matching ``GET /batch`` parameters, sorted (not paged)."""
    tests = _common_filters(args) + _suspension_filter(args)
    running = [b for b in store.batches.values() if b.is_running]
    return _select(running, tests, args, BATCH_SORT_KEYS)


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
    tests = _common_filters(args) + _suspension_filter(args)
    created_by = args.get("createdBy")
    if created_by is not None:
        tests.append(lambda b: b.create_user_id == created_by)
    before, after = params.date(args, "startedBefore"), params.date(args, "startedAfter")
    if before is not None:
        tests.append(lambda b: b.start_time <= before)
    if after is not None:
        tests.append(lambda b: b.start_time >= after)
    running = [b for b in store.batches.values() if b.is_running]
    selected = statistics(store, _select(running, tests, args, STATISTICS_SORT_KEYS))
    if params.boolean(args, "withFailures"):
        selected = [s for s in selected if s["failedJobs"] > 0]
    if params.boolean(args, "withoutFailures"):
        selected = [s for s in selected if s["failedJobs"] == 0]
    return selected


def select_historic_batches(store: EngineStore, args: Mapping[str, str]) -> list[Batch]:
    """``GET /history/batch``: every batch with a history record."""
    tests = _common_filters(args)
    completed = params.boolean(args, "completed")
    if completed is not None:
        tests.append(lambda b: (not b.is_running) == completed)
    recorded = [b for b in store.batches.values() if not b.history_deleted]
    return _select(recorded, tests, args, HISTORIC_SORT_KEYS)
