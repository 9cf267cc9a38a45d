"""Read BPMN 2.0 XML into the mock's small process model.

Only what the model can execute is accepted; anything else is named in a ``BpmnParseError``
rather than silently dropped, so a user learns what the mock does not support.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .models import Activity, SequenceFlow

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

# BPMN element -> the model's activity kind.
_SIMPLE_KINDS = {
    "startEvent": "startEvent",
    "endEvent": "endEvent",
    "userTask": "userTask",
    "serviceTask": "serviceTask",
    "sendTask": "serviceTask",
    "scriptTask": "scriptTask",
    "task": "task",
    "manualTask": "task",
    "receiveTask": "receiveTask",
    "exclusiveGateway": "exclusiveGateway",
    "parallelGateway": "parallelGateway",
    "intermediateCatchEvent": "timerEvent",
    "intermediateThrowEvent": "task",
}
# Elements inside a process that carry no behaviour of their own.
_IGNORED = {"extensionElements", "documentation", "laneSet", "textAnnotation", "association"}

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


class BpmnParseError(ValueError):
    """The file is not BPMN the mock can run; the message says what and where."""


@dataclass
class ParsedProcess:
    """One executable ``<process>`` of a BPMN file."""

    key: str
    name: str | None
    version_tag: str | None
    history_time_to_live: int | None
    activities: dict[str, Activity] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)


def _tag(element: ET.Element) -> tuple[str, str]:
    namespace, _, local = element.tag[1:].partition("}")
    return namespace, local


def _camunda(element: ET.Element, name: str) -> str | None:
    return element.get(f"{{{CAMUNDA_NS}}}{name}")


def parse_duration(text: str) -> float:
    """Seconds of an ISO 8601 duration such as ``PT5M`` or ``P1DT2H``."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groupdict().values()):
        raise BpmnParseError(f"timer duration '{text}' is not an ISO 8601 duration like PT5M")
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return ((parts["days"] * 24 + parts["hours"]) * 60 + parts["minutes"]) * 60 + parts["seconds"]


def _activity(element: ET.Element, local: str) -> Activity:
    element_id = element.get("id")
    if not element_id:
        raise BpmnParseError(f"a <{local}> has no id")
    kind = _SIMPLE_KINDS[local]
    activity = Activity(
        id=element_id,
        kind=kind,
        name=element.get("name"),
        async_before=_camunda(element, "asyncBefore") == "true",
        async_after=_camunda(element, "asyncAfter") == "true",
        default_flow=element.get("default"),
    )
    if local in ("serviceTask", "sendTask") and _camunda(element, "type") == "external":
        topic = _camunda(element, "topic")
        if not topic:
            raise BpmnParseError(f"external task '{element_id}' has no camunda:topic")
        activity.topic = topic
    definitions = [child for child in element if _tag(child)[1].endswith("EventDefinition")]
    if local == "intermediateCatchEvent":
        timer = element.find(f"{{{BPMN_NS}}}timerEventDefinition/{{{BPMN_NS}}}timeDuration")
        if timer is None or not (timer.text or "").strip():
            raise BpmnParseError(
                f"intermediate catch event '{element_id}': only timers with a timeDuration "
                "are supported"
            )
        activity.timer_seconds = parse_duration(timer.text or "")
    elif definitions:
        names = ", ".join(_tag(d)[1] for d in definitions)
        raise BpmnParseError(f"{local} '{element_id}' has an unsupported {names}")
    return activity


def _process(element: ET.Element) -> ParsedProcess:
    key = element.get("id")
    if not key:
        raise BpmnParseError("a <process> has no id")
    ttl = _camunda(element, "historyTimeToLive")
    if ttl is not None and not ttl.isdigit():
        raise BpmnParseError(f"process '{key}': camunda:historyTimeToLive '{ttl}' is not a number")
    process = ParsedProcess(
        key=key,
        name=element.get("name"),
        version_tag=_camunda(element, "versionTag"),
        history_time_to_live=int(ttl) if ttl is not None else None,
    )
    for child in element:
        namespace, local = _tag(child)
        if namespace != BPMN_NS or local in _IGNORED:
            continue
        if local == "sequenceFlow":
            flow_id, source, target = (
                child.get("id"),
                child.get("sourceRef"),
                child.get("targetRef"),
            )
            if not (flow_id and source and target):
                raise BpmnParseError(
                    f"process '{key}': a sequenceFlow lacks id, sourceRef or targetRef"
                )
            condition = child.find(f"{{{BPMN_NS}}}conditionExpression")
            process.flows[flow_id] = SequenceFlow(
                flow_id,
                source,
                target,
                (condition.text or "").strip() if condition is not None else None,
            )
        elif local in _SIMPLE_KINDS:
            activity = _activity(child, local)
            process.activities[activity.id] = activity
        else:
            raise BpmnParseError(f"process '{key}': <{local}> is not supported by the mock")
    _check_graph(process)
    return process


def _check_graph(process: ParsedProcess) -> None:
    starts = [a for a in process.activities.values() if a.kind == "startEvent"]
    if len(starts) != 1:
        raise BpmnParseError(f"process '{process.key}' must have exactly one start event")
    for flow in process.flows.values():
        for end in (flow.source, flow.target):
            if end not in process.activities:
                raise BpmnParseError(
                    f"sequence flow '{flow.id}' refers to unknown activity '{end}'"
                )


def parse_bpmn(text: str | bytes) -> list[ParsedProcess]:
    """Every executable process of a BPMN document."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BpmnParseError(f"the file is not well-formed XML: {exc}") from None
    if _tag(root) != (BPMN_NS, "definitions"):
        raise BpmnParseError("the root element is not a BPMN 2.0 <definitions>")
    processes = [
        _process(element)
        for element in root.findall(f"{{{BPMN_NS}}}process")
        if element.get("isExecutable", "false") == "true"
    ]
    if not processes:
        raise BpmnParseError('the file has no executable process (isExecutable="true")')
    return processes
