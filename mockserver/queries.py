"""Resolve the query objects of request bodies against the store.

Each supported filter property maps to a function that builds a predicate from the
filter's value. A filter whose value is null (or a boolean flag that is false) is not
applied, as in the engine's DTOs. The property names here must match the query schemas
in ``openapi.yaml``; a test keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from .clock import parse_engine_date
from .errors import invalid_request
from .models import (
    ACTIVE,
    COMPLETED,
    EXTERNALLY_TERMINATED,
    INTERNALLY_TERMINATED,
    SUSPENDED,
    ExternalTask,
    ProcessInstance,
)
from .store import EngineStore

T = TypeVar("T")
Predicate = Callable[[Any], bool]
FilterBuilder = Callable[[Any, "QueryContext"], Predicate]


class QueryContext:
    """Facts a predicate needs beyond the object itself, computed once per query."""

    def __init__(self, store: EngineStore, query: dict[str, Any]) -> None:
        self.store = store
        self.query = query
        self.now = store.clock.now()
        self._incidents: dict[bool, dict[str, list]] = {}

    def incidents_by_instance(self, open_only: bool) -> dict[str, list]:
        if open_only not in self._incidents:
            table: dict[str, list] = {}
            for incident in self.store.incidents.values():
                if incident.process_instance_id and (incident.is_open or not open_only):
                    table.setdefault(incident.process_instance_id, []).append(incident)
            self._incidents[open_only] = table
        return self._incidents[open_only]


def like(pattern: str) -> re.Pattern[str]:
    """SQL ``LIKE`` as the engine applies it: ``%`` any run, ``_`` one character."""
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


def _date(value: str) -> datetime:
    return parse_engine_date(value)


# -- generic builders -------------------------------------------------------------------


def _equals(get: Callable[[Any], Any]) -> FilterBuilder:
    return lambda value, ctx: lambda obj: get(obj) == value


def _in(get: Callable[[Any], Any]) -> FilterBuilder:
    def build(values: list, ctx: QueryContext) -> Predicate:
        wanted = set(values)
        return lambda obj: get(obj) in wanted

    return build


def _not_in(get: Callable[[Any], Any]) -> FilterBuilder:
    def build(values: list, ctx: QueryContext) -> Predicate:
        unwanted = set(values)
        return lambda obj: get(obj) not in unwanted

    return build


def _like(get: Callable[[Any], Any]) -> FilterBuilder:
    def build(value: str, ctx: QueryContext) -> Predicate:
        pattern = like(value)
        return lambda obj: get(obj) is not None and bool(pattern.match(get(obj)))

    return build


def _flag(test: Callable[[Any, QueryContext], bool]) -> FilterBuilder:
    """A boolean filter: ``true`` applies the test, ``false`` applies nothing (engine DTOs)."""

    def build(value: bool, ctx: QueryContext) -> Predicate:
        if not value:
            return lambda obj: True
        return lambda obj: test(obj, ctx)

    return build


def _accept_all(value: Any, ctx: QueryContext) -> Predicate:
    """Filters that cannot narrow the mock's data (it has no sub-processes) or only sort."""
    return lambda obj: True


def _date_compare(get: Callable[[Any], datetime | None], before: bool) -> FilterBuilder:
    def build(value: str, ctx: QueryContext) -> Predicate:
        limit = _date(value)

        def test(obj: Any) -> bool:
            moment = get(obj)
            if moment is None:
                return False
            return moment <= limit if before else moment >= limit

        return test

    return build


_VARIABLE_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gteq": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lteq": lambda a, b: a <= b,
    "like": lambda a, b: isinstance(a, str) and isinstance(b, str) and bool(like(b).match(a)),
}


def _variables_filter(names_ignore_case_key: str, values_ignore_case_key: str) -> FilterBuilder:
    """``variables: [{name, operator, value}]``; every condition must hold."""

    def build(conditions: list[dict[str, Any]], ctx: QueryContext) -> Predicate:
        for condition in conditions:
            if condition.get("operator") not in _VARIABLE_OPERATORS:
                raise ValueError(
                    f"Invalid variable comparator specified: {condition.get('operator')}"
                )
            if condition.get("name") is None:
                raise ValueError("a variable condition needs a name")
        names_ci = bool(ctx.query.get(names_ignore_case_key))
        values_ci = bool(ctx.query.get(values_ignore_case_key))

        def norm_name(name: str) -> str:
            return name.lower() if names_ci else name

        def norm_value(value: Any) -> Any:
            return value.lower() if values_ci and isinstance(value, str) else value

        def holds(instance: ProcessInstance, condition: dict[str, Any]) -> bool:
            wanted = norm_name(condition["name"])
            compare = _VARIABLE_OPERATORS[condition["operator"]]
            for name, typed in instance.variables.items():
                if norm_name(name) == wanted:
                    try:
                        wanted_value = norm_value(condition.get("value"))
                        return compare(norm_value(typed.value), wanted_value)
                    except TypeError:
                        return False
            return False

        return lambda instance: all(holds(instance, c) for c in conditions)

    return build


def _has_activity(values: list, ctx: QueryContext) -> Predicate:
    wanted = set(values)
    return lambda instance: any(t.activity_id in wanted for t in instance.activity_instances)


# -- the three query objects ------------------------------------------------------------

PROCESS_INSTANCE_FILTERS: dict[str, FilterBuilder] = {
    "processInstanceIds": _in(lambda i: i.id),
    "businessKey": _equals(lambda i: i.business_key),
    "businessKeyLike": _like(lambda i: i.business_key),
    "processDefinitionId": _equals(lambda i: i.definition.id),
    "processDefinitionKey": _equals(lambda i: i.definition.key),
    "processDefinitionKeyIn": _in(lambda i: i.definition.key),
    "processDefinitionKeyNotIn": _not_in(lambda i: i.definition.key),
    "deploymentId": _equals(lambda i: i.definition.deployment_id),
    "active": _flag(lambda i, ctx: i.state == ACTIVE),
    "suspended": _flag(lambda i, ctx: i.state == SUSPENDED),
    "withIncident": _flag(lambda i, ctx: i.id in ctx.incidents_by_instance(True)),
    "incidentType": lambda value, ctx: (
        lambda i: any(
            x.incident_type == value for x in ctx.incidents_by_instance(True).get(i.id, [])
        )
    ),
    "incidentMessage": lambda value, ctx: (
        lambda i: any(x.message == value for x in ctx.incidents_by_instance(True).get(i.id, []))
    ),
    "tenantIdIn": _in(lambda i: i.tenant_id),
    "withoutTenantId": _flag(lambda i, ctx: i.tenant_id is None),
    "activityIdIn": _has_activity,
    "rootProcessInstances": _accept_all,
    "variables": _variables_filter("variableNamesIgnoreCase", "variableValuesIgnoreCase"),
    "variableNamesIgnoreCase": _accept_all,  # read by the variables filter
    "variableValuesIgnoreCase": _accept_all,
    "sorting": _accept_all,
}

HISTORIC_PROCESS_INSTANCE_FILTERS: dict[str, FilterBuilder] = {
    "processInstanceId": _equals(lambda i: i.id),
    "processInstanceIds": _in(lambda i: i.id),
    "processDefinitionId": _equals(lambda i: i.definition.id),
    "processDefinitionKey": _equals(lambda i: i.definition.key),
    "processDefinitionKeyIn": _in(lambda i: i.definition.key),
    "processDefinitionName": _equals(lambda i: i.definition.name),
    "processInstanceBusinessKey": _equals(lambda i: i.business_key),
    "processInstanceBusinessKeyLike": _like(lambda i: i.business_key),
    "finished": _flag(lambda i, ctx: not i.is_running),
    "unfinished": _flag(lambda i, ctx: i.is_running),
    "withIncidents": _flag(lambda i, ctx: i.id in ctx.incidents_by_instance(False)),
    "active": _flag(lambda i, ctx: i.state == ACTIVE),
    "suspended": _flag(lambda i, ctx: i.state == SUSPENDED),
    "completed": _flag(lambda i, ctx: i.state == COMPLETED),
    "externallyTerminated": _flag(lambda i, ctx: i.state == EXTERNALLY_TERMINATED),
    "internallyTerminated": _flag(lambda i, ctx: i.state == INTERNALLY_TERMINATED),
    "startedBefore": _date_compare(lambda i: i.start_time, before=True),
    "startedAfter": _date_compare(lambda i: i.start_time, before=False),
    "finishedBefore": _date_compare(lambda i: i.end_time, before=True),
    "finishedAfter": _date_compare(lambda i: i.end_time, before=False),
    "tenantIdIn": _in(lambda i: i.tenant_id),
    "withoutTenantId": _flag(lambda i, ctx: i.tenant_id is None),
    "activityIdIn": _has_activity,
    "variables": _variables_filter("variableNamesIgnoreCase", "variableValuesIgnoreCase"),
    "sorting": _accept_all,
}


def _locked(task: ExternalTask, ctx: QueryContext) -> bool:
    return task.lock_expiration_time is not None and task.lock_expiration_time > ctx.now


EXTERNAL_TASK_FILTERS: dict[str, FilterBuilder] = {
    "externalTaskId": _equals(lambda t: t.id),
    "externalTaskIdIn": _in(lambda t: t.id),
    "topicName": _equals(lambda t: t.topic_name),
    "workerId": _equals(lambda t: t.worker_id),
    "locked": _flag(_locked),
    "notLocked": _flag(lambda t, ctx: not _locked(t, ctx)),
    "withRetriesLeft": _flag(lambda t, ctx: t.has_retries_left),
    "noRetriesLeft": _flag(lambda t, ctx: not t.has_retries_left),
    "activityId": _equals(lambda t: t.activity_id),
    "activityIdIn": _in(lambda t: t.activity_id),
    "processInstanceId": _equals(lambda t: t.process_instance_id),
    "processInstanceIdIn": _in(lambda t: t.process_instance_id),
    "processDefinitionId": _equals(lambda t: t.definition.id),
    "active": _flag(lambda t, ctx: not t.suspended),
    "suspended": _flag(lambda t, ctx: t.suspended),
    "priorityHigherThanOrEquals": lambda value, ctx: lambda t: t.priority >= value,
    "priorityLowerThanOrEquals": lambda value, ctx: lambda t: t.priority <= value,
    "tenantIdIn": _in(lambda t: t.tenant_id),
    "withoutTenantId": _flag(lambda t, ctx: t.tenant_id is None),
    "sorting": _accept_all,
}


def _select(
    candidates: Iterable[T],
    query: dict[str, Any],
    filters: dict[str, FilterBuilder],
    store: EngineStore,
    query_name: str,
) -> list[T]:
    ctx = QueryContext(store, query)
    predicates = []
    for name, value in query.items():
        if value is None:
            continue
        builder = filters.get(name)
        if builder is None:
            # The schema already rejects unknown filters; this guards the two from drifting.
            raise invalid_request(f"{query_name}: filter '{name}' is not supported by the mock")
        try:
            predicates.append(builder(value, ctx))
        except ValueError as exc:
            raise invalid_request(f"{query_name}: invalid value for '{name}': {exc}") from None
    # One pass per filter: the same tests in the same order as an all() per object, but
    # without a generator per object (this runs over every instance of a large batch).
    selected = list(candidates)
    for predicate in predicates:
        selected = [obj for obj in selected if predicate(obj)]
    return selected


def select_process_instances(store: EngineStore, query: dict[str, Any]) -> list[ProcessInstance]:
    """Runtime instances matching a ``ProcessInstanceQueryDto``."""
    return _select(
        store.running_instances(),
        query,
        PROCESS_INSTANCE_FILTERS,
        store,
        "processInstanceQuery",
    )


def select_historic_process_instances(
    store: EngineStore, query: dict[str, Any]
) -> list[ProcessInstance]:
    """Instances, running or ended, matching a ``HistoricProcessInstanceQueryDto``."""
    return _select(
        store.instances.values(),
        query,
        HISTORIC_PROCESS_INSTANCE_FILTERS,
        store,
        "historicProcessInstanceQuery",
    )


def select_external_tasks(store: EngineStore, query: dict[str, Any]) -> list[ExternalTask]:
    """External tasks matching an ``ExternalTaskQueryDto``."""
    return _select(
        store.external_tasks.values(),
        query,
        EXTERNAL_TASK_FILTERS,
        store,
        "externalTaskQuery",
    )
