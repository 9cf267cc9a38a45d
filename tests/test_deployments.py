"""``POST /deployment/create`` (multipart), the BPMN parser's answers, and the reads and deletes
of ``/deployment`` and ``/process-definition``, all through HTTP.

Files come from ``mockserver/processes`` (shipped) or ``tests/bpmn`` (written for these tests).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.assertions import ENGINE_DATE, IRE, PEE, assert_error
from tests.conftest import BASE

FIXTURES = Path(__file__).parent / "bpmn"
DEFINITION_ID = re.compile(r"^(?P<key>[^:]+):(?P<version>\d+):[0-9a-f-]{36}$")
PARSE_PREFIX = "ENGINE-09005 Could not parse BPMN process. Errors: \n* "


# -- helpers ----------------------------------------------------------------------------


def bpmn(name: str) -> bytes:
    """A test fixture from ``tests/bpmn``, else a file shipped in ``mockserver/processes``."""
    fixture = FIXTURES / name
    if fixture.is_file():
        return fixture.read_bytes()
    return (resources.files("mockserver") / "processes" / name).read_bytes()


def renamed(name: str, new_name: str) -> bytes:
    """A changed version of a shipped file: the same process with another ``name``."""
    content = bpmn(name).decode()
    changed = re.sub(r'(<bpmn:process [^>]*?name=")[^"]*"', rf'\g<1>{new_name}"', content, count=1)
    assert changed != content
    return changed.encode()


def upload(client: FlaskClient, files: dict[str, bytes], **text: str | None) -> TestResponse:
    """``POST /deployment/create`` with one file part per entry and text parts from ``text``
    (``tenant_id`` becomes the part ``tenant-id``; None leaves a part out)."""
    data: dict[str, Any] = {
        key.replace("_", "-"): value for key, value in text.items() if value is not None
    }
    for name, content in files.items():
        data[name] = (io.BytesIO(content), name)
    return client.post(f"{BASE}/deployment/create", data=data, content_type="multipart/form-data")


def deploy(client: FlaskClient, *names: str, deployment_name: str = "x", **text: str) -> dict:
    """Deploy files by name; the 200 answer's body."""
    response = upload(
        client, {name: bpmn(name) for name in names}, deployment_name=deployment_name, **text
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def only_definition(deployment: dict) -> dict:
    (definition,) = deployment["deployedProcessDefinitions"].values()
    return definition


def get(client: FlaskClient, path: str, **query: str) -> Any:
    response = client.get(f"{BASE}{path}", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def count(client: FlaskClient, path: str, **query: str) -> int:
    return get(client, f"{path}/count", **query)["count"]


def start(client: FlaskClient, key: str) -> str:
    response = client.post(f"{BASE}/process-definition/key/{key}/start", json={})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def engine_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def expected_definition(
    deployment: dict, key: str, version: int, tenant: str | None = None
) -> dict[str, Any]:
    """The full ``ProcessDefinitionDto`` of a shipped or fixture process."""
    shape = {
        "order": ("Order fulfilment", "2.3", 90, "order.bpmn"),
        "invoice": ("Invoice approval", "1.0", 30, "invoice.bpmn"),
        "paymentReminder": ("Payment reminder", None, 10, "reminder.bpmn"),
        "notes": ("Release notes", "0.9", 7, "notes.bpmn"),
    }
    name, version_tag, ttl, resource = shape[key]
    definition = next(
        d for d in deployment["deployedProcessDefinitions"].values() if d["key"] == key
    )
    return {
        "id": definition["id"],
        "key": key,
        "category": "http://example.com/demo",  # the file's targetNamespace, as the engine
        "description": None,
        "name": name,
        "version": version,
        "resource": resource,
        "deploymentId": deployment["id"],
        "diagram": None,
        "suspended": False,
        "tenantId": tenant,
        "versionTag": version_tag,
        "historyTimeToLive": ttl,
        "startableInTasklist": True,
    }


# -- creating deployments ---------------------------------------------------------------


def test_deploying_a_shipped_file_answers_the_deployment_with_its_definition(
    client: FlaskClient,
) -> None:
    clock_before = engine_time(client.get("/mock-api/clock").get_json()["now"])
    body = deploy(client, "order.bpmn", deployment_name="orders", deployment_source="tests")
    clock_after = engine_time(client.get("/mock-api/clock").get_json()["now"])

    (definition_id,) = body["deployedProcessDefinitions"]
    match = DEFINITION_ID.fullmatch(definition_id)
    assert match and (match["key"], match["version"]) == ("order", "1")
    assert ENGINE_DATE.fullmatch(body["deploymentTime"])
    assert clock_before <= engine_time(body["deploymentTime"]) <= clock_after
    assert {k: v for k, v in body.items() if k != "links"} == {
        "id": body["id"],
        "name": "orders",
        "source": "tests",
        "deploymentTime": body["deploymentTime"],
        "tenantId": None,
        "deployedProcessDefinitions": {definition_id: expected_definition(body, "order", 1)},
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": None,
        "deployedDecisionRequirementsDefinitions": None,
    }
    assert get(client, f"/process-definition/{definition_id}") == expected_definition(
        body, "order", 1
    )


def test_the_create_answer_links_to_the_new_deployment(client: FlaskClient) -> None:
    """The engine adds a ``self`` link (``addReflexiveLink(uri, GET, "self")``); reads do not."""
    body = deploy(client, "order.bpmn")
    assert body["links"] == [
        {"method": "GET", "href": f"http://localhost{BASE}/deployment/{body['id']}", "rel": "self"}
    ]
    assert get(client, f"/deployment/{body['id']}")["links"] == []


def test_tenant_part_sets_the_tenant_of_the_deployment_and_its_definitions(
    client: FlaskClient,
) -> None:
    shared = deploy(client, "order.bpmn")
    tenant = deploy(client, "order.bpmn", tenant_id="tenant-a")

    assert tenant["tenantId"] == "tenant-a"
    # Versions count per tenant: the tenant's first order definition is version 1.
    assert only_definition(tenant) == expected_definition(tenant, "order", 1, "tenant-a")
    assert get(client, f"/deployment/{tenant['id']}")["tenantId"] == "tenant-a"
    listed = get(client, "/process-definition", tenantIdIn="tenant-a")
    assert [d["id"] for d in listed] == [only_definition(tenant)["id"]]
    listed = get(client, "/process-definition", withoutTenantId="true")
    assert [d["id"] for d in listed] == [only_definition(shared)["id"]]


def test_redeploying_a_key_makes_version_2_and_only_it_is_the_latest(client: FlaskClient) -> None:
    first = deploy(client, "order.bpmn")
    second = deploy(client, "order.bpmn")

    assert only_definition(first)["version"] == 1
    assert only_definition(second) == expected_definition(second, "order", 2)
    latest = get(client, "/process-definition", key="order", latestVersion="true")
    assert latest == [expected_definition(second, "order", 2)]
    assert count(client, "/process-definition", key="order") == 2
    assert get(client, "/process-definition/key/order") == expected_definition(second, "order", 2)


def test_duplicate_filtering_with_identical_content_returns_the_previous_deployment(
    client: FlaskClient,
) -> None:
    first = deploy(client, "order.bpmn", deployment_name="orders")
    again = deploy(
        client, "order.bpmn", deployment_name="orders", enable_duplicate_filtering="true"
    )

    without_links = {k: v for k, v in first.items() if k != "links"}
    assert {k: v for k, v in again.items() if k != "links"} == without_links | {
        "deployedProcessDefinitions": None
    }
    assert count(client, "/deployment") == 1
    assert count(client, "/process-definition", key="order") == 1


def test_duplicate_filtering_with_a_changed_file_deploys_every_file(client: FlaskClient) -> None:
    deploy(client, "order.bpmn", "invoice.bpmn", deployment_name="shop")
    changed = upload(
        client,
        {"order.bpmn": bpmn("order.bpmn"), "invoice.bpmn": renamed("invoice.bpmn", "Invoices")},
        deployment_name="shop",
        enable_duplicate_filtering="true",
    )

    assert changed.status_code == 200, changed.get_json()
    deployed = changed.get_json()["deployedProcessDefinitions"].values()
    assert sorted((d["key"], d["version"], d["name"]) for d in deployed) == [
        ("invoice", 2, "Invoices"),
        ("order", 2, "Order fulfilment"),
    ]


def test_deploy_changed_only_deploys_only_the_changed_files(client: FlaskClient) -> None:
    first = deploy(client, "order.bpmn", "invoice.bpmn", deployment_name="shop")
    changed = upload(
        client,
        {"order.bpmn": bpmn("order.bpmn"), "invoice.bpmn": renamed("invoice.bpmn", "Invoices")},
        deployment_name="shop",
        deploy_changed_only="true",
    )

    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["id"] != first["id"]
    (invoice,) = body["deployedProcessDefinitions"].values()
    assert (invoice["key"], invoice["version"], invoice["name"]) == ("invoice", 2, "Invoices")
    assert [d["version"] for d in get(client, "/process-definition", key="order")] == [1]
    assert count(client, "/deployment") == 2


def test_two_files_in_one_deployment_make_two_definitions(client: FlaskClient) -> None:
    body = deploy(client, "order.bpmn", "invoice.bpmn")

    assert sorted(d["key"] for d in body["deployedProcessDefinitions"].values()) == [
        "invoice",
        "order",
    ]
    for key in ("order", "invoice"):
        (definition,) = get(client, "/process-definition", key=key)
        assert definition == expected_definition(body, key, 1)
    assert count(client, "/process-definition", deploymentId=body["id"]) == 2


@pytest.mark.parametrize(
    ("file", "key"),
    [
        ("order.bpmn", "order"),
        ("invoice.bpmn", "invoice"),
        ("reminder.bpmn", "paymentReminder"),
        ("payment_errors.bpmn", "payment"),
        ("notes.bpmn", "notes"),
    ],
    ids=["order", "invoice", "timer", "error-boundary", "user-task"],
)
def test_good_files_deploy(client: FlaskClient, file: str, key: str) -> None:
    definition = only_definition(deploy(client, file))
    assert (definition["key"], definition["version"], definition["resource"]) == (key, 1, file)


# -- the parser's refusals --------------------------------------------------------------


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tag_end(marker: str) -> Callable[[str], tuple[int, int]]:
    """Just after the ``>`` of the start tag that begins at ``marker``: the engine's place
    for a problem of that element (its SAX locator at the start tag)."""
    return lambda text: position(text, text.index(">", text.index(marker)) + 1)


def nowhere(text: str) -> tuple[int, int]:
    """A problem of the whole file or process: line and column 0."""
    return 0, 0


# file, the problem, where it is, the element the engine names first and all it names.
# Those the engine refuses too carry its message (checked on Camunda 7.24).
BROKEN = [
    pytest.param(
        "broken_not_bpmn.bpmn",
        "cvc-elt.1.a: Cannot find the declaration of element 'definitions'.",
        tag_end("<definitions"),
        None,
        (),
        id="not-bpmn",
    ),
    pytest.param(
        "broken_sub_process.bpmn",
        "process 'nested': <subProcess> is not supported by the mock",
        tag_end("<bpmn:subProcess"),
        "inner",
        ("inner",),
        id="unsupported-element",
    ),
    pytest.param(
        "broken_no_topic.bpmn",
        "External tasks must specify a 'topic' attribute in the camunda namespace",
        tag_end("<bpmn:serviceTask"),
        "work",
        ("work",),
        id="external-task-without-topic",
    ),
    pytest.param(
        "broken_condition.bpmn",
        "Exclusive Gateway 'check' has only one outgoing sequence flow ('toBig'). This is not "
        "allowed to have a condition.",
        nowhere,
        "check",
        ("check", "toBig"),
        id="condition-on-a-gateways-only-flow",
    ),
    pytest.param(
        "broken_unknown_target.bpmn",
        "sequence flow 'toNowhere' refers to unknown activity 'nowhere'",
        tag_end('<bpmn:sequenceFlow id="toNowhere"'),
        "toNowhere",
        ("toNowhere",),
        id="flow-to-unknown-activity",
    ),
    pytest.param(
        "broken_timer_boundary.bpmn",
        "boundary event 'tooLate': only error boundary events attached to an activity are "
        "supported",
        tag_end("<bpmn:boundaryEvent"),
        "tooLate",
        ("tooLate",),
        id="timer-boundary-event",
    ),
]


def parse_message(problem: str, file: str, line: int, column: int) -> str:
    """The engine's message: the place names the line and column only when they are known."""
    place = f" | line {line} | column {column}" if line else ""
    return f"{PARSE_PREFIX}{problem} | resource {file}{place}"


@pytest.mark.parametrize(("file", "problem", "place", "main_id", "element_ids"), BROKEN)
def test_a_broken_file_answers_a_parse_exception_and_deploys_nothing(
    client: FlaskClient,
    file: str,
    problem: str,
    place: Callable[[str], tuple[int, int]],
    main_id: str | None,
    element_ids: tuple[str, ...],
) -> None:
    deploy(client, "order.bpmn")
    line, column = place(bpmn(file).decode())

    response = upload(client, {file: bpmn(file)}, deployment_name="broken")

    assert response.status_code == 400
    body = response.get_json()
    error = body["details"][file]["errors"][0]
    assert "\u0435lementIds" in error and "elementIds" not in error  # Cyrillic ie, as the DTO
    assert body == {
        "type": "ParseException",
        "message": parse_message(problem, file, line, column),
        "code": 0,
        "details": {
            file: {
                "errors": [
                    {
                        "message": problem,
                        "line": line,
                        "column": column,
                        "mainElementId": main_id,
                        "\u0435lementIds": list(element_ids),
                    }
                ],
                "warnings": [],
            }
        },
    }
    assert count(client, "/deployment") == 1
    assert count(client, "/process-definition") == 1


# -- camunda:historyTimeToLive, as Camunda 7.24 reads it (ParseUtil.parseHistoryTimeToLive) --


def ttl_process(attribute: str) -> bytes:
    """A runnable process whose <process> carries ``attribute`` (e.g. a historyTimeToLive)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">\n'
        f'  <bpmn:process id="ttl" isExecutable="true" {attribute}>\n'
        '    <bpmn:startEvent id="s"/>\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>\n'
        '    <bpmn:userTask id="t"/>\n'
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n"
    ).encode()


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("P1D", 1),
        ("5", 5),
        ("P0D", 0),
        ("P007D", 7),
        ("007", 7),
        ("+5", 5),
        ("-0", 0),
        ("2147483647", 2147483647),
        ("\u0661\u0662", 12),  # Integer.parseInt reads any script's digits
    ],
)
def test_history_time_to_live_is_whole_days_or_p_n_d(
    client: FlaskClient, text: str, days: int
) -> None:
    response = upload(client, {"ttl.bpmn": ttl_process(f'camunda:historyTimeToLive="{text}"')})

    assert response.status_code == 200, response.get_json()
    definition = only_definition(response.get_json())
    assert definition["historyTimeToLive"] == days
    assert get(client, f"/process-definition/{definition['id']}")["historyTimeToLive"] == days


TTL_MISSING = (
    "ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is necessary for the History "
    "Cleanup to work. The following options are possible:\n* Set historyTimeToLive in the "
    "model\n* Set a default historyTimeToLive as a global process engine configuration\n* "
    "(Not recommended) Deactivate the enforceTTL config to disable this check"
)


def unreadable(text: str) -> str:
    """The engine's reason for a text Integer.parseInt refuses."""
    return f'Cannot parse historyTimeToLive: For input string: "{text}"'


@pytest.mark.parametrize(
    ("ttl", "reason"),
    [
        *(
            (text, unreadable(text))
            for text in ("P1W", "PT24H", "p1d", " 1", "P1D ", "P-1D", "1.5", "+", "2147483648")
        ),
        # the number inside P<n>D is what Integer.parseInt is given
        ("P99999999999D", unreadable("99999999999")),
        ("-1", "Cannot parse historyTimeToLive: negative value is not allowed"),
        (None, TTL_MISSING),
        ("", TTL_MISSING),
    ],
    ids=repr,
)
def test_a_history_time_to_live_the_engine_cannot_read_is_a_parse_exception(
    client: FlaskClient, ttl: str | None, reason: str
) -> None:
    """The problem repeats its text (the engine appends its cause, which says the same) and is
    placed at the end of the <process> start tag."""
    attribute = "" if ttl is None else f'camunda:historyTimeToLive="{ttl}"'
    content = ttl_process(attribute)
    line, column = tag_end("<bpmn:process")(content.decode())
    problem = f"{reason}: {reason}"

    response = upload(client, {"ttl.bpmn": content})

    assert response.status_code == 400
    assert response.get_json() == {
        "type": "ParseException",
        "message": parse_message(problem, "ttl.bpmn", line, column),
        "code": 0,
        "details": {
            "ttl.bpmn": {
                "errors": [
                    {
                        "message": problem,
                        "line": line,
                        "column": column,
                        "mainElementId": "ttl",
                        "\u0435lementIds": ["ttl"],
                    }
                ],
                "warnings": [],
            }
        },
    }
    assert (line, column) == (
        3,
        len(f'  <bpmn:process id="ttl" isExecutable="true" {attribute}>') + 1,
    )
    assert count(client, "/deployment") == 0


def test_a_file_that_is_not_xml_answers_the_engines_500_and_deploys_nothing(
    client: FlaskClient,
) -> None:
    # Measured on Camunda 7.24.0: the parser's (Xerces') message, no ParseException details.
    deploy(client, "order.bpmn")

    response = upload(client, {"broken_not_xml.bpmn": bpmn("broken_not_xml.bpmn")})

    assert_error(
        response,
        500,
        PEE,
        "ENGINE-09003 Could not parse 'broken_not_xml.bpmn'. The element type \"bpmn:process\" "
        'must be terminated by the matching end-tag "</bpmn:process>".',
        0,
    )
    assert count(client, "/deployment") == 1


def test_one_broken_file_fails_the_whole_deployment(client: FlaskClient) -> None:
    response = upload(
        client,
        {
            "order.bpmn": bpmn("order.bpmn"),
            "broken_sub_process.bpmn": bpmn("broken_sub_process.bpmn"),
        },
    )

    assert response.status_code == 400
    assert response.get_json()["type"] == "ParseException"
    assert list(response.get_json()["details"]) == ["broken_sub_process.bpmn"]
    assert count(client, "/deployment") == 0
    assert count(client, "/process-definition") == 0


# -- files without an executable process (measured on Camunda 7.24.0) -------------------


def sketch(*processes: str) -> bytes:
    """A BPMN file with these ``<bpmn:process>`` elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://x">'
        + "".join(processes)
        + "</bpmn:definitions>"
    ).encode()


def test_a_file_without_an_executable_process_deploys_no_definition(client: FlaskClient) -> None:
    response = upload(
        client,
        {"broken_not_executable.bpmn": bpmn("broken_not_executable.bpmn")},
        deployment_name="sketches",
    )

    assert response.status_code == 200
    created = response.get_json()
    assert {key: created[key] for key in created if key.startswith("deployed")} == {
        "deployedProcessDefinitions": None,
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": None,
        "deployedDecisionRequirementsDefinitions": None,
    }
    listed = client.get(f"{BASE}/deployment").get_json()
    assert [(d["id"], d["name"]) for d in listed] == [(created["id"], "sketches")]
    assert client.get(f"{BASE}/process-definition").get_json() == []
    missing = "No matching process definition with key: sketch and no tenant-id"
    assert_error(
        client.get(f"{BASE}/process-definition/key/sketch"), 404, "RestException", missing, None
    )
    assert_error(
        client.post(f"{BASE}/process-definition/key/sketch/start", json={}),
        404,
        "RestException",
        missing,
        None,
    )


@pytest.mark.parametrize(
    "attributes",
    ['isExecutable="false"', "", 'isExecutable="1"', 'isExecutable="0"'],
    ids=["false", "no-attribute", "one", "zero"],
)
def test_only_is_executable_true_makes_a_definition(client: FlaskClient, attributes: str) -> None:
    # Without the attribute the engine ignores the process in a new deployment; "1" is a valid
    # xs:boolean, but the engine reads the value with Java's Boolean.parseBoolean.
    file = sketch(
        f'<bpmn:process id="p" {attributes}><bpmn:serviceTask id="t"/></bpmn:process>',
        '<bpmn:process id="run" isExecutable=" true " camunda:historyTimeToLive="1">'
        '<bpmn:startEvent id="s"/></bpmn:process>',
    )

    created = upload(client, {"two.bpmn": file}).get_json()

    assert [d["key"] for d in created["deployedProcessDefinitions"].values()] == ["run"]
    assert [d["key"] for d in client.get(f"{BASE}/process-definition").get_json()] == ["run"]


def test_is_executable_must_be_an_xml_schema_boolean(client: FlaskClient) -> None:
    # The engine's schema validation lists two problems per process, at its start tag.
    file = sketch(
        '<bpmn:process id="a" isExecutable="  True\n"/>',
        '<bpmn:process id="b" isExecutable="yes"/>',
    )
    text = file.decode()
    first = position(text, text.index(">", text.index('id="a"')) + 1)
    second = position(text, text.index(">", text.index('id="b"')) + 1)

    response = upload(client, {"flags.bpmn": file})

    assert response.status_code == 400
    errors = response.get_json()["details"]["flags.bpmn"]["errors"]
    assert [(e["message"], e["line"], e["column"], e["mainElementId"]) for e in errors] == [
        ("cvc-datatype-valid.1.2.1: 'True' is not a valid value for 'boolean'.", *first, None),
        (
            "cvc-attribute.3: The value '  True ' of attribute 'isExecutable' on element "
            "'bpmn:process' is not valid with respect to its type, 'boolean'.",
            *first,
            None,
        ),
        ("cvc-datatype-valid.1.2.1: 'yes' is not a valid value for 'boolean'.", *second, None),
        (
            "cvc-attribute.3: The value 'yes' of attribute 'isExecutable' on element "
            "'bpmn:process' is not valid with respect to its type, 'boolean'.",
            *second,
            None,
        ),
    ]
    assert count(client, "/deployment") == 0


# -- refused uploads --------------------------------------------------------------------


def test_an_upload_without_a_file_part_is_refused(client: FlaskClient) -> None:
    response = upload(client, {}, deployment_name="empty")
    assert_error(response, 400, IRE, "No deployment resources contained in the form upload.", None)
    assert count(client, "/deployment") == 0


def test_a_text_part_that_is_no_known_field_is_refused(client: FlaskClient) -> None:
    """The engine formats the part's file name, which is null for a text part
    (``DeploymentRestServiceImpl.extractDeploymentInformation``)."""
    response = upload(client, {"order.bpmn": bpmn("order.bpmn")}, comment="hello")
    assert_error(
        response,
        400,
        IRE,
        "No file name found in the deployment resource described by form parameter 'null'.",
        None,
    )
    assert count(client, "/deployment") == 0


def test_an_empty_activation_time_part_is_accepted(client: FlaskClient) -> None:
    """``deployment-activation-time`` is one of the engine's reserved text parts; empty means
    "activate now"."""
    response = upload(client, {"order.bpmn": bpmn("order.bpmn")}, deployment_activation_time="")
    assert response.status_code == 200, response.get_json()


def test_a_body_that_is_not_multipart_is_unsupported(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/deployment/create", json={"deployment-name": "x"})
    assert_error(response, 415, "NotSupportedException", "HTTP 415 Unsupported Media Type", None)


# -- reading and deleting deployments ---------------------------------------------------


@pytest.fixture
def three_deployments(client: FlaskClient) -> dict[str, dict]:
    """``orders`` (no tenant), ``invoices`` (tenant-a), ``reminders`` (tenant-b), in this order."""
    return {
        "orders": deploy(client, "order.bpmn", deployment_name="orders"),
        "invoices": deploy(
            client, "invoice.bpmn", deployment_name="invoices", tenant_id="tenant-a"
        ),
        "reminders": deploy(
            client, "reminder.bpmn", deployment_name="reminders", tenant_id="tenant-b"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["orders", "invoices", "reminders"]),
        ({"name": "invoices"}, ["invoices"]),
        ({"name": "nothing"}, []),
        ({"tenantIdIn": "tenant-a,tenant-b"}, ["invoices", "reminders"]),
        ({"withoutTenantId": "true"}, ["orders"]),
        ({"sortBy": "name", "sortOrder": "asc"}, ["invoices", "orders", "reminders"]),
        ({"sortBy": "name", "sortOrder": "desc"}, ["reminders", "orders", "invoices"]),
        ({"sortBy": "name", "sortOrder": "asc", "firstResult": "1"}, ["orders", "reminders"]),
        ({"sortBy": "name", "sortOrder": "asc", "maxResults": "2"}, ["invoices", "orders"]),
        (
            {"sortBy": "name", "sortOrder": "asc", "firstResult": "1", "maxResults": "1"},
            ["orders"],
        ),
    ],
    ids=[
        "all",
        "name",
        "unknown-name",
        "tenant-ids",
        "without-tenant",
        "name-asc",
        "name-desc",
        "first-result",
        "max-results",
        "page",
    ],
)
def test_deployment_list_filters_sorts_and_pages(
    client: FlaskClient, three_deployments: dict[str, dict], query: dict, expected: list[str]
) -> None:
    listed = get(client, "/deployment", **query)
    assert [d["name"] for d in listed] == expected
    unpaged = {k: v for k, v in query.items() if k not in ("firstResult", "maxResults")}
    total = len(get(client, "/deployment", **unpaged))
    assert count(client, "/deployment", **unpaged) == total


def test_a_deployment_reads_as_its_create_answer_without_definitions(
    client: FlaskClient, three_deployments: dict[str, dict]
) -> None:
    created = three_deployments["invoices"]
    assert get(client, f"/deployment/{created['id']}") == {
        "links": [],
        "id": created["id"],
        "name": "invoices",
        "source": None,
        "deploymentTime": created["deploymentTime"],
        "tenantId": "tenant-a",
    }


def test_an_unknown_deployment_is_404(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/deployment/nope")
    assert_error(response, 404, IRE, "Deployment with id 'nope' does not exist", None)


def test_deleting_a_deployment_with_running_instances_needs_cascade(client: FlaskClient) -> None:
    deployment = deploy(client, "order.bpmn")
    definition_id = only_definition(deployment)["id"]
    start(client, "order")
    start(client, "order")

    response = client.delete(f"{BASE}/deployment/{deployment['id']}")

    assert_error(
        response,
        500,
        PEE,
        "ENGINE-03076 Deletion of process definition without cascading failed. Process "
        f"definition with id: {definition_id} can't be deleted, since there exists 2 "
        "dependening process instances.",
        0,
    )
    assert count(client, "/deployment") == 1
    assert count(client, "/process-instance") == 2


def test_deleting_with_cascade_removes_definitions_instances_and_their_history(
    client: FlaskClient,
) -> None:
    deployment = deploy(client, "order.bpmn")
    other = deploy(client, "invoice.bpmn")
    definition_id = only_definition(deployment)["id"]
    running = start(client, "order")
    deleted = start(client, "order")
    assert client.delete(f"{BASE}/process-instance/{deleted}").status_code == 204
    kept = start(client, "invoice")

    response = client.delete(
        f"{BASE}/deployment/{deployment['id']}", query_string={"cascade": "true"}
    )

    assert response.status_code == 204
    assert client.get(f"{BASE}/deployment/{deployment['id']}").status_code == 404
    assert client.get(f"{BASE}/process-definition/{definition_id}").status_code == 404
    assert client.get(f"{BASE}/process-instance/{running}").status_code == 404
    for instance_id in (running, deleted):
        assert_error(
            client.get(f"{BASE}/history/process-instance/{instance_id}"),
            404,
            IRE,
            f"Historic process instance with id {instance_id} does not exist",
            None,
        )
    assert count(client, "/external-task") == 0  # order's reserveStock task went with it
    assert [d["id"] for d in get(client, "/deployment")] == [other["id"]]
    assert [i["id"] for i in get(client, "/process-instance")] == [kept]


def test_deleting_a_deployment_whose_instances_ended_needs_no_cascade(client: FlaskClient) -> None:
    deployment = deploy(client, "order.bpmn")
    instance_id = start(client, "order")
    assert client.delete(f"{BASE}/process-instance/{instance_id}").status_code == 204

    assert client.delete(f"{BASE}/deployment/{deployment['id']}").status_code == 204
    assert count(client, "/deployment") == 0


def test_deleting_an_unknown_deployment_is_404(client: FlaskClient) -> None:
    response = client.delete(f"{BASE}/deployment/nope")
    assert_error(response, 404, IRE, "Deployment with id 'nope' do not exist", None)


# -- process definitions ----------------------------------------------------------------


@pytest.fixture
def definitions(client: FlaskClient) -> dict[str, str]:
    """Definition ids by short name: order v1/v2, invoice, notes, a tenant's order v1."""
    order_1 = deploy(client, "order.bpmn")
    order_2 = deploy(client, "order.bpmn")
    both = deploy(client, "invoice.bpmn", "notes.bpmn")
    tenant = deploy(client, "order.bpmn", tenant_id="tenant-a")
    by_key = {d["key"]: d["id"] for d in both["deployedProcessDefinitions"].values()}
    return {
        "order:1": only_definition(order_1)["id"],
        "order:2": only_definition(order_2)["id"],
        "invoice": by_key["invoice"],
        "notes": by_key["notes"],
        "tenant-order": only_definition(tenant)["id"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"key": "order"}, {"order:1", "order:2", "tenant-order"}),
        ({"keysIn": "invoice,notes"}, {"invoice", "notes"}),
        ({"latestVersion": "true"}, {"order:2", "invoice", "notes", "tenant-order"}),
        ({"key": "order", "latestVersion": "true"}, {"order:2", "tenant-order"}),
        ({"tenantIdIn": "tenant-a"}, {"tenant-order"}),
        ({"key": "order", "withoutTenantId": "true"}, {"order:1", "order:2"}),
        ({"versionTag": "0.9"}, {"notes"}),
        ({"nameLike": "%fulfil%"}, {"order:1", "order:2", "tenant-order"}),
        ({"nameLike": "Invoice%"}, {"invoice"}),
        ({"key": "order", "version": "1"}, {"order:1", "tenant-order"}),
        ({"key": "nothing"}, set()),
    ],
    ids=[
        "key",
        "keys-in",
        "latest",
        "latest-of-key",
        "tenant",
        "without-tenant",
        "version-tag",
        "name-like-infix",
        "name-like-prefix",
        "version",
        "unknown-key",
    ],
)
def test_definition_filters(
    client: FlaskClient, definitions: dict[str, str], query: dict, expected: set[str]
) -> None:
    listed = get(client, "/process-definition", **query)
    assert {d["id"] for d in listed} == {definitions[name] for name in expected}
    assert count(client, "/process-definition", **query) == len(expected)


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        ("version", "desc", ["order:2", "order:1"]),
        ("version", "asc", ["order:1", "order:2"]),
        ("id", "desc", ["order:2", "order:1"]),  # ids start with key:version
    ],
    ids=["version-desc", "version-asc", "id-desc"],
)
def test_definitions_sort(
    client: FlaskClient,
    definitions: dict[str, str],
    sort_by: str,
    order: str,
    expected: list[str],
) -> None:
    listed = get(
        client,
        "/process-definition",
        key="order",
        withoutTenantId="true",
        sortBy=sort_by,
        sortOrder=order,
    )
    assert [d["id"] for d in listed] == [definitions[name] for name in expected]


def test_definitions_sort_by_key_then_page(
    client: FlaskClient, definitions: dict[str, str]
) -> None:
    listed = get(
        client,
        "/process-definition",
        sortBy="key",
        sortOrder="asc",
        firstResult="1",
        maxResults="2",
    )
    assert [d["key"] for d in listed] == ["notes", "order"]


def test_latest_version_with_version_is_refused(client: FlaskClient, definitions: dict) -> None:
    response = client.get(
        f"{BASE}/process-definition", query_string={"latestVersion": "true", "version": "1"}
    )
    assert_error(
        response,
        500,
        PEE,
        "Calling latest() can only be used in combination with key(String) and keyLike(String) "
        "or name(String) and nameLike(String)",
        0,
    )


def test_a_definition_reads_by_id(client: FlaskClient) -> None:
    deployment = deploy(client, "invoice.bpmn")
    definition = only_definition(deployment)
    assert get(client, f"/process-definition/{definition['id']}") == expected_definition(
        deployment, "invoice", 1
    )


def test_an_unknown_definition_id_is_404_with_code_0(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/process-definition/order:9:nope")
    assert_error(response, 404, IRE, "No matching definition with id order:9:nope", 0)


def test_a_definition_by_key_is_the_latest_version_without_tenant(
    client: FlaskClient, definitions: dict[str, str]
) -> None:
    assert get(client, "/process-definition/key/order")["id"] == definitions["order:2"]
    assert get(client, "/process-definition/key/notes")["id"] == definitions["notes"]


def test_an_unknown_definition_key_is_404(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/process-definition/key/nothing")
    assert_error(
        response,
        404,
        "RestException",
        "No matching process definition with key: nothing and no tenant-id",
        None,
    )
