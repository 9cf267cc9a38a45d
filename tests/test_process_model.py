"""The BPMN reader, the condition subset and the token game behind the demo data."""

from __future__ import annotations

import pytest

from mockserver.bpmn import BpmnParseError, parse_bpmn, parse_duration
from mockserver.demo import shipped_process
from mockserver.models import COMPLETED, TypedValue
from mockserver.xerces import NotWellFormed

HEADER = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn">'
)


def process(
    body: str, attributes: str = 'id="p" isExecutable="true" camunda:historyTimeToLive="1"'
) -> str:
    return f"{HEADER}<bpmn:process {attributes}>{body}</bpmn:process></bpmn:definitions>"


def test_shipped_order_process_is_read_completely() -> None:
    (order,) = parse_bpmn(shipped_process("order.bpmn"))
    assert (order.key, order.name, order.version_tag, order.history_time_to_live) == (
        "order",
        "Order fulfilment",
        "2.3",
        90,
    )
    reserve = order.activities["reserveStock"]
    assert (reserve.kind, reserve.topic) == ("serviceTask", "reserve-stock")
    assert order.activities["chargeCard"].async_before
    assert order.activities["fork"].kind == "parallelGateway"
    assert order.flows["toPack"].target == "packGoods"


def test_timer_duration_is_read() -> None:
    (reminder,) = parse_bpmn(shipped_process("reminder.bpmn"))
    assert reminder.activities["waitThreeDays"].timer_seconds == 3 * 24 * 3600
    assert parse_duration("PT1H30M") == 5400


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("<definitions/>", "Cannot find the declaration of element 'definitions'"),
        (
            process('<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"/>'),
            "<subProcess> is not supported",
        ),
        (
            process('<bpmn:startEvent id="s"/><bpmn:serviceTask id="t" camunda:type="external"/>'),
            "External tasks must specify a 'topic' attribute",
        ),
        (
            process(
                '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>'
            ),
            "refers to unknown activity 'x'",
        ),
        (process('<bpmn:endEvent id="e"/>'), "exactly one start event"),
        (
            process('<bpmn:startEvent id="s"><bpmn:messageEventDefinition/></bpmn:startEvent>'),
            "unsupported messageEventDefinition",
        ),
    ],
    ids=[
        "root",
        "unsupported-element",
        "topic",
        "dangling-flow",
        "no-start",
        "message-start",
    ],
)
def test_broken_files_are_refused_with_the_reason(document: str, problem: str) -> None:
    with pytest.raises(BpmnParseError, match=problem):
        parse_bpmn(document)


def test_a_file_that_is_not_xml_is_refused_with_the_engines_parser_message() -> None:
    with pytest.raises(NotWellFormed, match="must start and end within the same entity"):
        parse_bpmn("<not-closed")


def test_a_process_that_is_not_executable_is_left_out() -> None:
    assert parse_bpmn(process('<bpmn:startEvent id="s"/>', 'id="p"')) == []


def test_instance_runs_to_its_wait_states_and_to_its_end(engine, deploy) -> None:
    order = deploy("order.bpmn")
    with engine.store.lock:
        instance = engine.runtime.start(order, business_key="B-1")
        assert [t.activity_id for t in instance.activity_instances] == ["reserveStock"]
        (task,) = engine.store.external_tasks.values()
        engine.runtime.complete_external_task(task)
        assert sorted(t.activity_id for t in instance.activity_instances) == [
            "chargeCard",
            "packGoods",
        ]
        (job,) = engine.store.jobs.values()
        engine.runtime.execute_job(job)
        assert sorted(t.activity_id for t in instance.activity_instances) == ["join", "packGoods"]
        (user_task,) = engine.store.user_tasks.values()
        engine.runtime.complete_user_task(user_task)
    assert instance.state == COMPLETED and instance.end_time is not None
    assert not engine.store.jobs and not engine.store.user_tasks and not engine.store.external_tasks


@pytest.mark.parametrize(("approved", "waiting"), [(True, ["archiveInvoice"]), (False, [])])
def test_exclusive_gateway_takes_the_condition_or_the_default(
    engine, deploy, approved: bool, waiting: list[str]
) -> None:
    invoice = deploy("invoice.bpmn")
    with engine.store.lock:
        instance = engine.runtime.start(
            invoice, variables={"approved": TypedValue("Boolean", approved)}
        )
        (task,) = engine.store.user_tasks.values()
        engine.runtime.complete_user_task(task)
    assert [t.activity_id for t in instance.activity_instances] == waiting
    assert instance.is_running is bool(waiting)


def test_redeploying_a_key_makes_a_new_version(deploy) -> None:
    first, second = deploy("invoice.bpmn"), deploy("invoice.bpmn")
    assert (first.version, second.version) == (1, 2)
    assert first.id != second.id and first.key == second.key
