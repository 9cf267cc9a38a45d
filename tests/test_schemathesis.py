"""Property tests: schemathesis generates requests from ``openapi.yaml`` and sends them in process.

Every operation of the contract gets examples, coverage and fuzzing cases, valid and invalid,
through the WSGI app (no network) with demo data, so queries select real instances and batches
get created. All default checks run, except:

- ``not_a_server_error``: replaced by ``server_errors_are_engine_answers``. The engine answers a
  few requests with a 5xx (the ``x-divergences`` entries whose engine status is 5xx, and the 5xx
  rows of an operation's validation table); the mock must give exactly those answers and no
  other 5xx (a ``MockServerError`` is always a bug).
- ``ignored_auth`` and ``object_level_authorization``: the contract declares no security scheme
  and the mock authenticates nobody, so there is nothing for them to test.

``unsupported_method`` and ``allow_header_conformance`` stay on: the mock answers undeclared
methods with 405 and an ``Allow`` header, as JAX-RS does. ``use_after_free`` and
``ensure_resource_availability`` run in the stateful test, which also asserts itself that a
batch just created can be read back through the links.

Runs are reproducible: a fixed seed, no example database, fresh apps with seeded demo data.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from flask import Flask
from hypothesis import strategies as st
from schemathesis.core.failures import AcceptedNegativeData

from contracts.engine_answers import (
    DOCUMENT,
    OPERATIONS,
    container_refuses_path,
    documented_messages,
    engine_accepts,
    message_pattern,
    operation_id,
    response_json,
    response_text,
    server_errors_are_engine_answers,
)
from mockserver.routes.common import EXTENSION_KEY
from tests.conftest import BASE, make_app

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250131
# Fuzzed cases per operation: the batch calls and their reads and controls get the full
# budget, the other ~45 reads and runtime calls a smaller one (the file runs in about a minute).
MAX_EXAMPLES = 30
OTHER_MAX_EXAMPLES = 10

# The contract's paths without parameters: a generated id must not turn into one of them.
PATH_TEMPLATES = [path.split("/") for path in DOCUMENT["paths"]]


def _prefers_a_literal(template: list[str], path: list[str]) -> bool:
    """Whether ``path`` is another operation's: one whose template matches it with a literal
    segment where ``template`` has a parameter (JAX-RS prefers the literal)."""
    for other in PATH_TEMPLATES:
        if len(other) != len(path) or other == template:
            continue
        matches = all(o.startswith("{") or o == p for o, p in zip(other, path, strict=True))
        if matches and any(
            t.startswith("{") and not o.startswith("{")
            for t, o in zip(template, other, strict=True)
        ):
            return True
    return False


BATCH_OPERATIONS = frozenset(
    op_id for op_id, op in OPERATIONS.items() if "Batch operations" in op.get("tags", [])
)
BATCH_TAGS = ("Batch operations", "Batch", "Historic batch")
# The stateful test: the batch calls, the two reads their links lead to, and the delete that
# makes `use_after_free` meaningful.
LINKED_OPERATIONS = (*sorted(BATCH_OPERATIONS), "getBatch", "getHistoricBatch", "deleteBatch")


ENGINE_400S = {op_id: documented_messages(op, 400) for op_id, op in OPERATIONS.items()}
for _entry in DOCUMENT["x-divergences"]:
    if _entry["engine"]["status"] == 400 and _entry["engine"]["message"]:
        ENGINE_400S[_entry["operation"]].append(message_pattern(_entry["engine"]["message"]))

# positive_data_acceptance's defaults, plus 400 where the contract documents one: the engine
# answers some schema-valid requests with 400 (a selection that collects nothing, "jobIds is
# empty"; a null `retries`; an unknown id; `sortBy` without `sortOrder`...). Which 400s are
# legitimate is pinned down by `valid_requests_fail_only_on_engine_rules`.
POSITIVE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


def make_config(only: tuple[str, ...] = ()) -> schemathesis.Config:
    """The schemathesis settings; ``only`` keeps just the operations with these ids."""
    operations: list[dict[str, Any]] = [
        {
            "include-operation-id": sorted(
                op_id for op_id, op in OPERATIONS.items() if "400" in op["responses"]
            ),
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
        }
    ]
    operations.append(
        {"exclude-tag": list(BATCH_TAGS), "generation": {"max-examples": OTHER_MAX_EXAMPLES}}
    )
    if only:
        # `schema.include(...)` has no effect once the config has [[operations]] entries.
        operations.append({"exclude-operation-id": list(only), "enabled": False})
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "output": {"sanitization": {"enabled": False}},  # it hides every "...Key" field
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
            "checks": {
                "not_a_server_error": {"enabled": False},
                "ignored_auth": {"enabled": False},
                "object_level_authorization": {"enabled": False},
            },
            # The stateful test creates batches and follows links: valid requests only.
            "phases": {"stateful": {"generation": {"mode": "positive"}}},
            "operations": operations,
        }
    )


# -- 400 to a schema-valid request: only the engine's own rules --------------------------

DATE_SHAPE = re.compile(DOCUMENT["components"]["schemas"]["DateString"]["pattern"])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def is_real_date(text: str) -> bool:
    """Whether a string in the engine's date format names a point in time that exists."""
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return False
    return True


def valid_requests_fail_only_on_engine_rules(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A schema-valid request answered with 400 must have hit one of the engine's rules."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return
    if any(info.mode.is_negative for info in meta.components.values()):
        return
    body = response_json(response)
    message = body.get("message") if isinstance(body, dict) else None
    dates = [s for s in _strings(case.body) if DATE_SHAPE.search(s)]
    if message == "" and not all(is_real_date(s) for s in dates):
        return  # the pattern lets 2025-02-30 through; Jackson cannot map it (400, empty)
    rows = ENGINE_400S.get(operation_id(case), [])
    if not (message and any(row.match(message) for row in rows)):
        detail = response.headers.get("x-mock-error-detail")
        raise AssertionError(
            f"a schema-valid request was refused by no engine rule of {operation_id(case)}: "
            f"{response_text(response)}"
            + (f" (X-Mock-Error-Detail: {detail[0]})" if detail else "")
        )


CUSTOM_CHECKS = [server_errors_are_engine_answers, valid_requests_fail_only_on_engine_rules]


# -- steering valid requests towards the demo data ---------------------------------------

QUERIES = ("processInstanceQuery", "historicProcessInstanceQuery", "externalTaskQuery")
# Reads of one resource: the path prefix and the store table whose ids fit it.
ID_READS = {
    "/process-instance/{id}": "instances",
    "/history/process-instance/{id}": "instances",
    "/external-task/{id}": "external_tasks",
    "/job/{id}": "jobs",
}


def _demo_values(app: Flask) -> dict[str, list[tuple[str, str, list[Any]]]]:
    """Values that select demo data: operation -> [(location, name, candidate values)].

    Random ids and filters almost never match anything, so most valid requests would stop at
    "nothing selected" or "does not exist". Sometimes using a deployed definition, a known id
    or a match-all query lets them reach the later rules, create batches and read real data.
    """
    store = app.extensions[EXTENSION_KEY].store
    definition_ids = sorted(store.definitions)
    keys = sorted({d.key for d in store.definitions.values()})
    match_all = [("body", name, [{}]) for name in QUERIES]
    values: dict[str, list[tuple[str, str, list[Any]]]] = {
        "setJobRetriesAsyncOperation": match_all,
        "setExternalTaskRetriesAsyncOperation": match_all,
        "updateSuspensionStateAsyncOperation": match_all,
        "executeModificationAsync": [("body", "processDefinitionId", definition_ids), *match_all],
        "restartProcessInstanceAsyncOperation": [("path", "id", definition_ids), *match_all],
        "restartProcessInstanceAsyncByKey": [("path", "key", keys), *match_all],
    }
    for path, item in DOCUMENT["paths"].items():
        for prefix, table in ID_READS.items():
            if path.startswith(prefix) and "get" in item:
                ids = sorted(getattr(store, table))[:8]
                values[item["get"]["operationId"]] = [("path", "id", ids)]
    return values


def load_schema(app: Flask, only: tuple[str, ...] = ()) -> Any:
    """The contract as schemathesis sees it, bound to ``app`` and to this module's hooks."""
    # From the document this module read, so that every check here sees the same contract.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=make_config(only))
    schema.app = app
    demo_values = _demo_values(app)

    @schema.hook("filter_path_parameters")
    def not_a_literal_sibling(context: Any, path_parameters: dict[str, Any]) -> bool:
        # JAX-RS prefers a literal segment: an id such as "count" makes `/batch/{id}` the
        # request `/batch/count`, and "key" makes `/process-definition/{id}/start` a request
        # of `/process-definition/key/{key}`: another operation, no case of this one. (Which
        # strings Hypothesis tries depends on the constants in the code, so any change of
        # code can bring such an id up.)
        if not path_parameters:
            return True
        if container_refuses_path(path_parameters):
            return False  # Tomcat's own HTML 400 (tests/test_bad_input.py pins the mock's)
        path = context.operation.path
        for name, value in path_parameters.items():
            path = path.replace("{" + name + "}", str(value))
        return not _prefers_a_literal(context.operation.path.split("/"), path.split("/"))

    @schema.hook("filter_failure")
    def unless_the_engine_accepts_it_too(
        context: Any, failure: Any, case: schemathesis.Case, response: Any
    ) -> bool:
        return not (isinstance(failure, AcceptedNegativeData) and engine_accepts(case, response))

    @schema.hook("flatmap_case")
    def sometimes_select_demo_data(context: Any, case: schemathesis.Case) -> Any:
        meta = case.meta
        targets = demo_values.get(operation_id(case), [])
        if meta is None or not meta.generation.mode.is_positive or not targets:
            return st.just(case)  # an invalid request stays exactly as generated

        generated_path, generated_body = case.path_parameters, case.body

        def apply(choices: tuple[int, ...]) -> schemathesis.Case:
            # New containers each time: the generated ones may be shared (schema examples).
            path, body = generated_path, generated_body
            for (where, name, values), choice in zip(targets, choices, strict=True):
                if choice and where == "path" and name in (path or {}):
                    path = {**path, name: values[choice - 1]}
                elif choice and where == "body" and isinstance(body, dict) and name in body:
                    body = {**body, name: values[choice - 1]}
            case.path_parameters, case.body = path, body
            return case

        # Always the same draws for an operation, whatever the case holds: replaying a run
        # must not change what Hypothesis draws next.
        return st.tuples(*(st.integers(0, len(values)) for *_, values in targets)).map(apply)

    return schema


APP = make_app(demo=True)  # progression manual: nothing runs unless a test says so
schema = load_schema(APP)


def test_requests_go_to_the_apps_base_path() -> None:
    assert APP.extensions[EXTENSION_KEY].config.base_path == BASE
    assert schema.base_path == BASE + "/"


@schema.parametrize()
def test_api(case: schemathesis.Case) -> None:
    case.call_and_validate(additional_checks=CUSTOM_CHECKS)


# -- stateful: from a new batch through the links to its records -------------------------

PROCESSES = ROOT / "mockserver" / "processes"


def reset_with_a_few_instances(app: Flask) -> None:
    """Back to an empty engine, then three processes with two instances each, via the API.

    Every scenario starts from this same state, so Hypothesis can replay a scenario and get
    the same answers (with shared state it reports "inconsistent data generation"). Reloading
    the full demo data for each of the 30 scenarios would take about a minute.
    """
    client = app.test_client()
    assert client.post("/mock-api/reset").status_code == 200
    for name in ("order.bpmn", "invoice.bpmn", "reminder.bpmn"):
        files = {name: (io.BytesIO((PROCESSES / name).read_bytes()), name)}
        deployed = client.post(f"{BASE}/deployment/create", data={"deployment-name": name, **files})
        assert deployed.status_code == 200, deployed.get_data(as_text=True)
        for definition in deployed.get_json()["deployedProcessDefinitions"].values():
            for _ in range(2):
                started = client.post(
                    f"{BASE}/process-definition/{definition['id']}/start", json={}
                )
                assert started.status_code == 200, started.get_data(as_text=True)


def link_parameters(link: dict[str, Any], body: Any) -> dict[str, Any]:
    """A link's parameters, each a ``$response.body#/<pointer>`` expression, read from ``body``."""
    values = {}
    for name, expression in link["parameters"].items():
        assert expression.startswith("$response.body#/"), expression
        value = body
        for part in expression.removeprefix("$response.body#/").split("/"):
            value = value[part.replace("~1", "/").replace("~0", "~")]
        values[name] = value
    return values


def test_links_lead_from_a_new_batch_to_its_records() -> None:
    followed: set[str] = set()  # reads of a new batch done through its links
    app = make_app()  # no demo data: each scenario sets up its own, see above
    batch_calls = load_schema(app, only=LINKED_OPERATIONS)

    class BatchLinks(batch_calls.as_state_machine()):  # type: ignore[misc]
        """Random scenarios over the batch calls and their links, plus two rules of its own.

        Every batch a step creates is read back at once through the GetBatch and
        GetHistoricBatch links of the contract, which must answer 200 (schemathesis'
        ``ensure_resource_availability`` does not cover a POST whose path is not a prefix of
        the GET's). And when the random walk itself follows a link to a batch created in the
        scenario and not deleted since, that answer must be 200 too.
        """

        def setup(self) -> None:
            reset_with_a_few_instances(app)
            self.running: set[str] = set()  # created, not deleted (nothing runs by itself)
            self.recorded: set[str] = set()  # created, history not deleted

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            op_id, status = operation_id(case), response.status_code
            batch_id = (case.path_parameters or {}).get("id")
            if op_id in BATCH_OPERATIONS and status == 200:
                self.running.add(response_json(response)["id"])
                self.recorded.add(response_json(response)["id"])
                self.follow_read_links(op_id, response_json(response))
            elif op_id == "deleteBatch" and status == 204:
                self.running.discard(batch_id)
                if str((case.query or {}).get("cascade")).lower() == "true":
                    self.recorded.discard(batch_id)

        def follow_read_links(self, op_id: str, body: dict[str, Any]) -> None:
            for link in OPERATIONS[op_id]["responses"]["200"]["links"].values():
                if link["operationId"] not in ("getBatch", "getHistoricBatch"):
                    continue
                operation = batch_calls.find_operation_by_id(link["operationId"])
                read = operation.Case(path_parameters=link_parameters(link, body))
                answer = read.call()
                read.validate_response(answer, additional_checks=CUSTOM_CHECKS)
                assert answer.status_code == 200, (
                    f"{op_id} created batch {body['id']}, but {read.method} "
                    f"{read.formatted_path} answers {answer.status_code} {response_text(answer)}"
                )
                followed.add(link["operationId"])

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case,
            additional_checks: list | None = None,
            **kwargs: Any,
        ) -> None:
            checks = [*CUSTOM_CHECKS, *(additional_checks or [])]
            super().validate_response(response, case, additional_checks=checks, **kwargs)
            op_id = operation_id(case)
            batch_id = (case.path_parameters or {}).get("id")
            must_exist = {"getBatch": self.running, "getHistoricBatch": self.recorded}
            if batch_id in must_exist.get(op_id, set()):
                # Progression is manual: no job runs by itself, so the batch is still there.
                assert response.status_code == 200, (
                    f"{case.method} {case.formatted_path}: batch {batch_id} was created in this "
                    f"scenario, but the answer is {response.status_code} {response_text(response)}"
                )

    BatchLinks.run(
        settings=hypothesis.settings(
            max_examples=30,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,  # with the reset above: the same scenarios every run
            database=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    assert followed == {"getBatch", "getHistoricBatch"}, "no scenario created a batch"
