"""Expressions as Camunda 7.24 evaluates them with no beans: service tasks and conditions.

Every expected answer here is the engine's: the same process, deployed and started with the
same variables on Camunda 7.24.0 (Spring Boot, no beans of the user's), gave it. An
identifier is a process variable (or ``execution``); any other name fails as no bean has it.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.assertions import ENGINE_DATE, PEE, assert_error
from tests.conftest import BASE
from tests.test_deployments import engine_time, upload

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">\n'
)


def process(body: str) -> bytes:
    """A process ``p`` with this body."""
    return (
        f'{HEAD}<bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="1">\n'
        f"{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def service_task(expression: str) -> bytes:
    """Start, a service task putting the expression's value into ``out``, a user task."""
    return process(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>'
        f'<bpmn:serviceTask id="work" camunda:expression={quoteattr(expression)} '
        'camunda:resultVariable="out"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="wait"/><bpmn:userTask id="wait"/>'
    )


def gateway(condition: str) -> bytes:
    """An exclusive gateway: ``yes`` on the condition, else the default flow to ``noTask``."""
    return process(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="gw"/>'
        '<bpmn:exclusiveGateway id="gw" default="no"/>'
        '<bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="yesTask">'
        f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
        '</bpmn:sequenceFlow><bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="noTask"/>'
        '<bpmn:userTask id="yesTask"/><bpmn:userTask id="noTask"/>'
    )


def typed(type_: str, value: Any) -> dict[str, Any]:
    return {"value": value, "type": type_}


DATE = "2024-01-01T10:00:00.000+0000"


def start(client: FlaskClient, content: bytes, variables: dict[str, Any]) -> TestResponse:
    deployed = upload(client, {"p.bpmn": content})
    assert deployed.status_code == 200, deployed.get_json()
    return client.post(f"{BASE}/process-definition/key/p/start", json={"variables": variables})


def variable(client: FlaskClient, instance_id: str, name: str) -> dict[str, Any]:
    response = client.get(f"{BASE}/process-instance/{instance_id}/variables/{name}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


VALUES = [
    ("${x}", {"x": typed("Integer", 5)}, "Integer", 5),
    ("${x}", {"x": typed("Short", 5)}, "Short", 5),
    ("#{x}", {"x": typed("Integer", 5)}, "Integer", 5),
    ("${execution.getVariable('x')}", {}, "Null", None),
    ("${execution.getVariable('x')}", {"x": typed("String", "a")}, "String", "a"),
    ("${execution.getVariable(1)}", {}, "Null", None),
    ("${execution.hasVariable('x')}", {}, "Boolean", False),
    ("${x + 1}", {"x": typed("Integer", 5)}, "Long", 6),
    ("${x + 1}", {"x": typed("Short", 5)}, "Long", 6),
    ("${x + 1}", {"x": typed("String", "5")}, "Long", 6),
    ("${x + 1}", {"x": typed("String", "5.5")}, "Double", 6.5),
    ("${x + 1.0}", {"x": typed("String", " 5 ")}, "Double", 6.0),
    ("${x * 1}", {"x": typed("String", "+5")}, "Long", 5),
    ("${x * 1}", {"x": typed("String", "1e2")}, "Double", 100.0),
    ("${x / 2}", {"x": typed("Integer", 5)}, "Double", 2.5),
    ("${x / 0}", {"x": typed("Integer", 5)}, "Double", "Infinity"),
    ("${x % y}", {"x": typed("Double", 7.5), "y": typed("Integer", 0)}, "Double", "NaN"),
    ("${-x}", {"x": typed("Short", 5)}, "Short", -5),
    ("${-x}", {"x": typed("Integer", 5)}, "Integer", -5),
    ("${-7 % 3}", {}, "Long", -1),
    ("${-7.5 % 2}", {}, "Double", -1.5),
    ("${10 mod 3 + 10 div 4}", {}, "Double", 3.5),
    ("${9223372036854775807 + 1}", {}, "Long", -9223372036854775808),
    ("${1e400}", {}, "Double", "Infinity"),
    ("${0.1 + 0.2}", {}, "Double", 0.30000000000000004),
    ("${007}", {}, "Long", 7),
    ("${.5}", {}, "Double", 0.5),
    ("${null + null}", {}, "Long", 0),
    ("${'' + 1}", {}, "Long", 1),
    ("${x == 'abc'}", {"x": typed("String", "abc")}, "Boolean", True),
    ("${x < y}", {"x": typed("String", "abc"), "y": typed("String", "abd")}, "Boolean", True),
    ("${x == 'true'}", {"x": typed("Boolean", True)}, "Boolean", True),
    ("${x == true}", {"x": typed("String", "TRUE")}, "Boolean", True),
    ("${x == 5}", {"x": typed("String", "5")}, "Boolean", True),
    ("${x == 5.0}", {"x": typed("String", "5")}, "Boolean", True),
    ("${x == y}", {"x": typed("Date", DATE), "y": typed("Date", DATE)}, "Boolean", True),
    ("${x == 'a'}", {"x": typed("Date", DATE)}, "Boolean", False),
    ("${x < 'a'}", {"x": typed("Boolean", True)}, "Boolean", False),
    ("${true < false}", {}, "Boolean", False),
    ("${x > 5}", {"x": typed("String", "")}, "Boolean", False),
    ("${null < 1}", {}, "Boolean", False),
    ("${-0.0 == 0.0}", {}, "Boolean", False),
    ("${x == x}", {"x": typed("Double", "NaN")}, "Boolean", True),
    ("${empty x}", {"x": typed("String", "")}, "Boolean", True),
    ("${empty 0}", {}, "Boolean", False),
    ("${empty execution}", {}, "Boolean", False),
    ("${x ? 1 : 2}", {"x": typed("String", "yes")}, "Long", 2),
    ("${not true or false and x}", {}, "Boolean", False),
    ("${x && true}", {"x": typed("String", "TRUE")}, "Boolean", True),
    ("${x.foo}", {"x": typed("Null", None)}, "Null", None),
    ("${x[y]}", {"x": typed("Null", None), "y": typed("Integer", 1)}, "Null", None),
    ("${execution[null]}", {}, "Null", None),
    ("${execution.getVariable('nope').foo}", {}, "Null", None),
    ("${execution.processInstanceId == execution.id}", {}, "Boolean", True),
    ("${execution['processInstanceId'] == execution.id}", {}, "Boolean", True),
    ("${execution == execution}", {}, "Boolean", True),
    ("${execution.currentActivityId}", {}, "String", "work"),
    ("${execution.activityId}", {}, "String", "work"),
    ("${execution.eventName}", {}, "Null", None),
    ("${execution.processBusinessKey}", {}, "Null", None),
    ("${execution.currentActivityName}", {}, "Null", None),
    ("${execution.processDefinitionId == null}", {}, "Boolean", False),
    ("${authenticatedUserId}", {}, "Null", None),
    ("${currentUser()}", {}, "Null", None),
    ("${execution.setVariable('y', 7)}", {}, "Null", None),
    ("plain text", {}, "String", "plain text"),
    ("\\${x}", {}, "String", "${x}"),
    ("${'a\\'b'}", {}, "String", "a'b"),
    ("${x}}", {"x": typed("Integer", 5)}, "String", "5}"),
    ("a ${x} b", {"x": typed("Integer", 5)}, "String", "a 5 b"),
    ("a${x}", {"x": typed("Date", DATE)}, "String", "aMon Jan 01 10:00:00 UTC 2024"),
    ("a${x}b${y}", {"x": typed("Double", 1.5), "y": typed("Null", None)}, "String", "a1.5b"),
    (
        "${x}${y}",
        {"x": typed("Double", 10000000.0), "y": typed("Double", 0.0001)},
        "String",
        "1.0E71.0E-4",
    ),
    (
        "${''}${0.001}|${123456.789}|${1e7}|${9999999.0}|${1e21}|${100.0}|${-0.0}|${1/0}|"
        "${0/0.0}|${0.1+0.7}|${1e-7}|${123456789.0}",
        {},
        "String",
        "0.001|123456.789|1.0E7|9999999.0|1.0E21|100.0|-0.0|Infinity|NaN|0.7999999999999999|"
        "1.0E-7|1.23456789E8",
    ),
]


@pytest.mark.parametrize(("expression", "variables", "type_", "value"), VALUES)
def test_a_service_task_expression_gives_the_engines_value(
    client: FlaskClient, expression: str, variables: dict, type_: str, value: Any
) -> None:
    response = start(client, service_task(expression), variables)

    assert response.status_code == 200, response.get_json()
    out = variable(client, response.get_json()["id"], "out")
    assert out == {"type": type_, "value": value, "valueInfo": {}}


@pytest.mark.parametrize(
    ("argument", "variables", "type_", "value"),
    [
        ("x", {"x": typed("Integer", 5)}, "Integer", 5),
        ("7", {}, "Long", 7),
        ("1.5", {}, "Double", 1.5),
        ("null", {}, "Null", None),
    ],
)
def test_set_variable_stores_the_value_with_its_java_type(
    client: FlaskClient, argument: str, variables: dict, type_: str, value: Any
) -> None:
    response = start(
        client, service_task(f"${{execution.setVariable('y', {argument})}}"), variables
    )

    instance_id = response.get_json()["id"]
    assert variable(client, instance_id, "y") == {"type": type_, "value": value, "valueInfo": {}}
    assert variable(client, instance_id, "out")["type"] == "Null"  # setVariable returns void


def test_now_is_a_date_of_the_engines_clock(client: FlaskClient) -> None:
    before = client.get("/mock-api/clock").get_json()["now"]
    response = start(client, service_task("${now()}"), {})
    after = client.get("/mock-api/clock").get_json()["now"]

    out = variable(client, response.get_json()["id"], "out")
    assert out["type"] == "Date" and ENGINE_DATE.fullmatch(out["value"])
    assert engine_time(before) <= engine_time(out["value"]) <= engine_time(after)


FAILURES = [
    ("${someBean.run()}", {}, "Unknown property used in expression: ${someBean.run()}. Cause: "
     "Cannot resolve identifier 'someBean'"),
    ("${x}", {}, "Unknown property used in expression: ${x}. Cause: Cannot resolve identifier 'x'"),
    ("${x + 1}", {"x": typed("String", "abc")}, "Error while evaluating expression: ${x + 1}. "
     "Cause: Cannot coerce 'abc' to class java.lang.Long"),
    ("${x + 1}", {"x": typed("String", " 5")}, "Error while evaluating expression: ${x + 1}. "
     "Cause: Cannot coerce ' 5' to class java.lang.Long"),
    ("${x + 1}", {"x": typed("Boolean", True)}, "Error while evaluating expression: ${x + 1}. "
     "Cause: Cannot coerce from class java.lang.Boolean to class java.lang.Long"),
    ("${x % 0}", {"x": typed("Integer", 5)}, "Error while evaluating expression: ${x % 0}. "
     "Cause: / by zero"),
    ("${x == 5}", {"x": typed("String", "5.0")}, "Error while evaluating expression: ${x == 5}. "
     "Cause: Cannot coerce '5.0' to class java.lang.Long"),
    ("${x < 5}", {"x": typed("Date", DATE)}, "Error while evaluating expression: ${x < 5}. "
     "Cause: Cannot coerce from class java.util.Date to class java.lang.Long"),
    ("${-x}", {"x": typed("String", "abc")}, "Error while evaluating expression: ${-x}. "
     "Cause: Cannot coerce 'abc' to class java.lang.Long"),
    ("${-true}", {}, "Error while evaluating expression: ${-true}. Cause: Cannot negate "
     "'class java.lang.Boolean'"),
    ("${x && true}", {"x": typed("Integer", 1)}, "Error while evaluating expression: "
     "${x && true}. Cause: Cannot coerce from class java.lang.Integer to class java.lang.Boolean"),
    ("${execution + 1}", {}, "Error while evaluating expression: ${execution + 1}. Cause: Cannot "
     "coerce from class org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity to class "
     "java.lang.Long"),
    ("${x.foo()}", {"x": typed("Null", None)}, "Unknown property used in expression: "
     "${x.foo()}. Cause: Target unreachable, base expression 'x' resolved to null"),
    ("${x.y.z()}", {"x": typed("Null", None)}, "Unknown property used in expression: "
     "${x.y.z()}. Cause: Target unreachable, base expression '. y' resolved to null"),
    ("${(x).z()}", {"x": typed("Null", None)}, "Unknown property used in expression: "
     "${(x).z()}. Cause: Target unreachable, base expression '(...)' resolved to null"),
    ("${execution.getVariable('x').length()}", {}, "Unknown property used in expression: "
     "${execution.getVariable('x').length()}. Cause: Target unreachable, base expression "
     "'<method>' resolved to null"),
    ("${x.y}", {"x": typed("String", "abc")}, "Unknown property used in expression: ${x.y}. "
     "Cause: The class 'java.lang.String' does not have the property 'y'."),
    ("${x[0]}", {"x": typed("String", "abc")}, "Unknown property used in expression: ${x[0]}. "
     "Cause: The class 'java.lang.String' does not have the property '0'."),
    ("${x.foo}", {"x": typed("Integer", 5)}, "Unknown property used in expression: ${x.foo}. "
     "Cause: The class 'java.lang.Integer' does not have the property 'foo'."),
    ("${execution.getVariable()}", {}, "Unknown method used in expression: "
     "${execution.getVariable()}. Cause: Method not found: class "
     "org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity.getVariable()"),
    ("${execution.getVariable('x', 2)}", {}, "Unknown method used in expression: "
     "${execution.getVariable('x', 2)}. Cause: Method not found: class "
     "org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity.getVariable("
     "java.lang.String, java.lang.Long)"),
    ("${execution.setVariable('y')}", {}, "Unknown method used in expression: "
     "${execution.setVariable('y')}. Cause: Method not found: class "
     "org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity.setVariable("
     "java.lang.String)"),
]  # fmt: skip


@pytest.mark.parametrize(("expression", "variables", "message"), FAILURES)
def test_a_failing_expression_fails_the_start_and_leaves_no_instance(
    client: FlaskClient, expression: str, variables: dict, message: str
) -> None:
    response = start(client, service_task(expression), variables)

    definition_id = client.get(f"{BASE}/process-definition/key/p").get_json()["id"]
    prefix = f"Cannot instantiate process definition {definition_id}: "
    assert_error(response, 500, "RestException", prefix + message, 0)
    history = client.get(f"{BASE}/history/process-instance/count").get_json()
    assert history == {"count": 0}


CONDITIONS = [
    ("${x > 5}", {"x": typed("Integer", 10)}, "yesTask"),
    ("${x > 5}", {"x": typed("Integer", 1)}, "noTask"),
    ("${x > 5}", {"x": typed("Double", 5.5)}, "yesTask"),
    ("${execution.getVariable('x') == 1}", {}, "noTask"),
    ("${x}", {"x": typed("Boolean", True)}, "yesTask"),
]


@pytest.mark.parametrize(("condition", "variables", "task"), CONDITIONS)
def test_a_condition_picks_the_flow_as_the_engine_does(
    client: FlaskClient, condition: str, variables: dict, task: str
) -> None:
    response = start(client, gateway(condition), variables)

    assert response.status_code == 200, response.get_json()
    tasks = client.get(
        f"{BASE}/task", query_string={"processInstanceId": response.get_json()["id"]}
    )
    assert [t["taskDefinitionKey"] for t in tasks.get_json()] == [task]


NON_BOOLEAN = (
    "condition expression returns non-Boolean: result has class {} and not java.lang.Boolean"
)
CONDITION_FAILURES = [
    ("${x > 5}", {}, "Unknown property used in expression: ${x > 5}. Cause: Cannot resolve "
     "identifier 'x'"),
    ("${missing == null}", {}, "Unknown property used in expression: ${missing == null}. "
     "Cause: Cannot resolve identifier 'missing'"),
    ("${x > 1}", {"x": typed("String", "text")}, "Error while evaluating expression: "
     "${x > 1}. Cause: Cannot coerce 'text' to class java.lang.Long"),
    ("${x}", {"x": typed("Null", None)}, "condition expression returns null: result is null"),
    ("${x}", {"x": typed("String", "true")}, NON_BOOLEAN.format("java.lang.String")),
    ("${x}", {"x": typed("Integer", 1)}, NON_BOOLEAN.format("java.lang.Integer")),
    ("${x}", {"x": typed("Long", 99)}, NON_BOOLEAN.format("java.lang.Long")),
    ("${x}", {"x": typed("Double", 1.5)}, NON_BOOLEAN.format("java.lang.Double")),
    ("true", {}, NON_BOOLEAN.format("java.lang.String")),
]  # fmt: skip


@pytest.mark.parametrize(("condition", "variables", "message"), CONDITION_FAILURES)
def test_a_condition_that_fails_or_is_no_boolean_fails_the_start(
    client: FlaskClient, condition: str, variables: dict, message: str
) -> None:
    response = start(client, gateway(condition), variables)

    definition_id = client.get(f"{BASE}/process-definition/key/p").get_json()["id"]
    prefix = f"Cannot instantiate process definition {definition_id}: "
    assert_error(response, 500, "RestException", prefix + message, 0)


PARSE_FAILURES = [
    ("${a +}", "Error parsing '${a +}': syntax error at position 5, encountered '}', expected "
     "<IDENTIFIER>|<STRING>|<FLOAT>|<INTEGER>|'true'|'false'|'null'|'-'|'!'|'not'|'empty'|'('"),
    ("${a b}", "Error parsing '${a b}': syntax error at position 4, encountered 'b', expected "
     "'}'"),
    ("${}", "Error parsing '${}': syntax error at position 2, encountered '}', expected "
     "<IDENTIFIER>|<STRING>|<FLOAT>|<INTEGER>|'true'|'false'|'null'|'-'|'!'|'not'|'empty'|'('"),
    ("${x", "Error parsing '${x': syntax error at position 3, encountered 'null', expected '}'"),
    ("${1e}", "Error parsing '${1e}': syntax error at position 3, encountered 'e', expected '}'"),
    ("${x.empty}", "Error parsing '${x.empty}': syntax error at position 4, encountered 'empty', "
     "expected <IDENTIFIER>"),
    ("${x instanceof y}", "Error parsing '${x instanceof y}': syntax error at position 4, "
     "encountered 'instanceof', expected '}'"),
    ("${x} #{y}", "Error parsing '${x} #{y}': syntax error at position 5, encountered '#{', "
     "expected '${'"),
    ("${99999999999999999999}", "Error parsing '${99999999999999999999}': syntax error at "
     "position 2, encountered '99999999999999999999', expected <INTEGER>"),
    ("${a = 1}", "Error parsing '${a = 1}': lexical error at position 4, encountered invalid "
     "character '=', expected expression token"),
    ("${1 +\u00a0 2}", "Error parsing '${1 +\u00a0 2}': lexical error at position 5, encountered "
     "invalid character '\u00a0', expected expression token"),
    ("${'abc}", "Error parsing '${'abc}': lexical error at position 2, encountered unterminated "
     "string, expected '"),
    ("${'a\\nb'}", "Error parsing '${'a\\nb'}': lexical error at position 2, encountered invalid "
     "escape sequence \\n, expected \\' or \\\\"),
    ("${foo()}", "Could not resolve function 'foo'"),
    ("${ns:fn()}", "Could not resolve function 'ns:fn'"),
    ("${now(1)}", "Parameters for function 'now' do not match"),
]  # fmt: skip


@pytest.mark.parametrize(("expression", "problem"), PARSE_FAILURES)
def test_an_expression_the_engine_cannot_parse_fails_the_deployment_with_a_500(
    client: FlaskClient, expression: str, problem: str
) -> None:
    """Not a ParseException: the engine's parser throws it out of the parse."""
    response = upload(client, {"p.bpmn": service_task(expression)})

    assert_error(response, 500, PEE, f"ENGINE-01009 Error while parsing process. {problem}.", 0)
    assert client.get(f"{BASE}/deployment/count").get_json() == {"count": 0}


def test_the_same_parse_failure_in_a_condition(client: FlaskClient) -> None:
    response = upload(client, {"p.bpmn": gateway("${x >}")})

    assert_error(
        response,
        500,
        PEE,
        "ENGINE-01009 Error while parsing process. Error parsing '${x >}': syntax error at "
        "position 5, encountered '}', expected <IDENTIFIER>|<STRING>|<FLOAT>|<INTEGER>|'true'|"
        "'false'|'null'|'-'|'!'|'not'|'empty'|'('.",
        0,
    )


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("${execution.foo()}", "'execution.foo' is not supported by the mock"),
        ("${execution.variables}", "'execution.variables' is not supported by the mock"),
        ("${dateTime()}", "the function dateTime() is not supported"),
    ],
)
def test_what_the_mock_cannot_evaluate_is_named_at_deployment(
    client: FlaskClient, expression: str, named: str
) -> None:
    """The engine runs these (its Java objects); the mock refuses them instead of guessing."""
    response = upload(client, {"p.bpmn": service_task(expression)})

    assert response.status_code == 400
    (problem,) = response.get_json()["details"]["p.bpmn"]["errors"]
    assert named in problem["message"] and problem["mainElementId"] == "work"
