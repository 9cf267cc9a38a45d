"""``GET /batch`` and ``GET /history/batch``: filtering and sorting batches."""

from __future__ import annotations

from collections.abc import Mapping

from . import params
from .errors import invalid_request
from .models import Batch
from .store import EngineStore

BATCH_SORT_KEYS = {"batchId": lambda b: b.id, "tenantId": lambda b: b.tenant_id or ""}


def find_batch(store: EngineStore, batch_id: str) -> Batch:
    """A running batch, or the engine's 404."""
    batch = store.batches.get(batch_id)
    if batch is None or not batch.is_running:
        raise invalid_request(f"Batch with id '{batch_id}' does not exist", status=404)
    return batch


def find_historic_batch(store: EngineStore, batch_id: str) -> Batch:
    """A batch's historic record, running or ended, or the engine's 404."""
    batch = store.batches.get(batch_id)
    if batch is None:
        raise invalid_request(f"Historic batch with id '{batch_id}' does not exist", status=404)
    return batch


def select_batches(store: EngineStore, args: Mapping[str, str]) -> list[Batch]:
    """Running batches matching ``GET /batch`` parameters, sorted (not paged)."""
    sort_by, descending = params.sorting(args, tuple(BATCH_SORT_KEYS))
    batch_id, batch_type = args.get("batchId"), args.get("type")
    tenants = params.string_list(args, "tenantIdIn")
    without_tenant = params.boolean(args, "withoutTenantId")
    suspended = params.boolean(args, "suspended")
    selected = [
        b
        for b in store.batches.values()
        if b.is_running
        and (batch_id is None or b.id == batch_id)
        and (batch_type is None or b.type == batch_type)
        and (tenants is None or b.tenant_id in tenants)
        and (not without_tenant or b.tenant_id is None)
        and (suspended is None or b.suspended == suspended)
    ]
    if sort_by is not None:
        selected.sort(key=BATCH_SORT_KEYS[sort_by], reverse=descending)
    return selected
