"""Read BPMN 2.0 XML into the mock's small process model.

Only what the model can execute is accepted; anything else is named in a ``BpmnParseError``
rather than silently dropped, so a user learns what the mock does not support.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.parsers import expat

from .conditions import UnsupportedCondition, check_condition
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
    "boundaryEvent": "boundaryError",
}
# Elements inside a process that carry no behaviour of their own.
_IGNORED = {"extensionElements", "documentation", "laneSet", "textAnnotation", "association"}

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


class BpmnParseError(ValueError):
    """The file is not BPMN the mock can run; the message says what and where."""

    def __init__(
        self, message: str, element_id: str | None = None, position: tuple[int, int] = (0, 0)
    ) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.line, self.column = position


def _read_xml(text: str | bytes) -> tuple[ET.Element, dict[ET.Element, tuple[int, int]]]:
    """Parse XML into an ElementTree, remembering where each element starts (line, column)."""
    builder = ET.TreeBuilder()
    positions: dict[ET.Element, tuple[int, int]] = {}
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name(raw: str) -> str:  # expat's "uri}local" -> ElementTree's "{uri}local"
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(name(tag), {name(k): v for k, v in attributes.items()})
        positions[element] = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise BpmnParseError(
            f"the file is not well-formed XML: {expat.ErrorString(exc.code)}",
            None,
            (exc.lineno, exc.offset + 1),
        ) from None
    return builder.close(), positions


@dataclass
class ParsedProcess:
    """One executable ``<process>`` of a BPMN file."""

    key: str
    name: str | None
    version_tag: str | None
    history_time_to_live: int | None
    resource: str | None = None  # the file it came from
    category: str | None = None  # the targetNamespace of its <definitions>
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


def _activity(element: ET.Element, local: str, errors: dict[str, str]) -> Activity:
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
        attached_to=element.get("attachedToRef"),
    )
    if local in ("serviceTask", "sendTask") and _camunda(element, "type") == "external":
        topic = _camunda(element, "topic")
        if not topic:
            raise BpmnParseError(f"external task '{element_id}' has no camunda:topic")
        activity.topic = topic
    definitions = [child for child in element if _tag(child)[1].endswith("EventDefinition")]
    if local == "boundaryEvent":
        error = element.find(f"{{{BPMN_NS}}}errorEventDefinition")
        if error is None or len(definitions) != 1 or not activity.attached_to:
            raise BpmnParseError(
                f"boundary event '{element_id}': only error boundary events attached to an "
                "activity are supported",
                element_id,
            )
        activity.error_code = errors.get(error.get("errorRef") or "")
    elif local == "intermediateCatchEvent":
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


def _process(
    element: ET.Element, errors: dict[str, str], positions: dict[ET.Element, tuple[int, int]]
) -> ParsedProcess:
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
    where: dict[str, tuple[int, int]] = {}  # element id -> position, for the graph checks
    for child in element:
        namespace, local = _tag(child)
        if namespace != BPMN_NS or local in _IGNORED:
            continue
        where[child.get("id") or ""] = positions.get(child, (0, 0))
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
            try:
                activity = _activity(child, local, errors)
            except BpmnParseError as error:
                raise BpmnParseError(
                    str(error), child.get("id"), positions.get(child, (0, 0))
                ) from None
            process.activities[activity.id] = activity
        else:
            raise BpmnParseError(
                f"process '{key}': <{local}> is not supported by the mock",
                child.get("id"),
                positions.get(child, (0, 0)),
            )
    _check_graph(process, where)
    return process


def _check_graph(process: ParsedProcess, where: dict[str, tuple[int, int]]) -> None:
    starts = [a for a in process.activities.values() if a.kind == "startEvent"]
    if len(starts) != 1:
        raise BpmnParseError(f"process '{process.key}' must have exactly one start event")
    for flow in process.flows.values():
        for end in (flow.source, flow.target):
            if end not in process.activities:
                raise BpmnParseError(
                    f"sequence flow '{flow.id}' refers to unknown activity '{end}'",
                    flow.id,
                    where[flow.id],
                )
        if flow.condition is not None:
            try:
                check_condition(flow.condition)
            except UnsupportedCondition as error:
                raise BpmnParseError(
                    f"sequence flow '{flow.id}': {error} (supported: ${{name}}, "
                    "${name OP literal} with == != < <= > >=)",
                    flow.id,
                    where[flow.id],
                ) from None
    for activity in process.activities.values():
        if activity.attached_to is not None and activity.attached_to not in process.activities:
            raise BpmnParseError(
                f"boundary event '{activity.id}' is attached to unknown activity "
                f"'{activity.attached_to}'",
                activity.id,
                where[activity.id],
            )


def parse_bpmn(text: str | bytes, resource: str | None = None) -> list[ParsedProcess]:
    """Every executable process of a BPMN document (``resource``: its file name)."""
    root, positions = _read_xml(text)
    if _tag(root) != (BPMN_NS, "definitions"):
        raise BpmnParseError(
            "the root element is not a BPMN 2.0 <definitions>", None, positions[root]
        )
    errors = {
        error.get("id", ""): error.get("errorCode") or error.get("id", "")
        for error in root.findall(f"{{{BPMN_NS}}}error")
    }
    processes = [
        _process(element, errors, positions)
        for element in root.findall(f"{{{BPMN_NS}}}process")
        if element.get("isExecutable", "false") == "true"
    ]
    for process in processes:
        process.resource = resource
        process.category = root.get("targetNamespace")
    if not processes:
        raise BpmnParseError('the file has no executable process (isExecutable="true")')
    return processes
