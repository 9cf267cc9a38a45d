"""Read BPMN 2.0 XML into the mock's small process model.

Only what the model can execute is accepted; anything else is named in a ``BpmnParseError``
rather than silently dropped, so a user learns what the mock does not support. Where the
engine refuses a file, the mock refuses it with the engine's message, and at the engine's
place: the line and column where the offending element's start tag ends (Xerces' locator).
An expression the engine cannot parse is not a ``BpmnParseError``: the engine throws it out
of the parse (``expressions.ExpressionParseError``); nor is a file that is not well-formed XML
(``xerces.NotWellFormed``, with the message of the engine's XML parser).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from xml.parsers import expat

from . import xerces
from .expressions import UnsupportedExpression, compile_expression
from .models import (
    CLASS,
    DELEGATE_EXPRESSION,
    EXPRESSION,
    Activity,
    Delegate,
    Listener,
    SequenceFlow,
)

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
# Listener events the engine accepts; the mock runs start, end, take, create and complete
# (it has no commands that assign or update a task, and runs no listeners on cancellation).
_EXECUTION_EVENTS = ("start", "end")
_TASK_EVENTS = ("create", "assignment", "complete", "update", "delete", "timeout")
_TTL_ISO = re.compile(r"P(\d+)D", re.ASCII)  # ParseUtil's ^P(\d+)D$ (Java's \d is ASCII)
_TTL_MISSING = (
    "ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is necessary for the History "
    "Cleanup to work. The following options are possible:\n* Set historyTimeToLive in the "
    "model\n* Set a default historyTimeToLive as a global process engine configuration\n* (Not "
    "recommended) Deactivate the enforceTTL config to disable this check"
)

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
# An xs:duration as Java's DatatypeFactory reads it: the ones the mock cannot compute
# (years, months, fractions, negative) are refused, anything else is not a duration at all.
_XS_DURATION = re.compile(
    r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d*)?S)?)?", re.ASCII
)


class BpmnParseError(ValueError):
    """The file is not BPMN the mock can run; the message says what and where.

    ``element_ids`` are the ids the engine lists with the problem (by default the element's);
    ``more`` are further problems the engine finds at the same step and lists after it.
    """

    def __init__(
        self,
        message: str,
        element_id: str | None = None,
        position: tuple[int, int] = (0, 0),
        element_ids: tuple[str, ...] | None = None,
        more: tuple[BpmnParseError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.line, self.column = position
        self.element_ids = (
            element_ids if element_ids is not None else ((element_id,) if element_id else ())
        )
        self.more = more

    def problems(self) -> list[BpmnParseError]:
        """This problem and the ones listed after it."""
        return [self, *self.more]


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a byte offset; CR LF and lone CR end a line too."""
    before = raw[:offset]
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    return line, len(before[start:].decode("utf-8", "replace")) + 1


def _tag_end(raw: bytes, start: int) -> int:
    """The offset just after the ``>`` that closes the start tag beginning at ``start``."""
    quote = None
    for offset in range(start, len(raw)):
        byte = raw[offset : offset + 1]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in (b'"', b"'"):
            quote = byte
        elif byte == b">":
            return offset + 1
    return len(raw)


_START_TAG_NAME = re.compile(rb"<([^\s/>]+)")


@dataclass
class XmlDocument:
    """A parsed file: its elements, where each start tag ends, and each name as written."""

    root: ET.Element
    positions: dict[ET.Element, tuple[int, int]]
    names: dict[ET.Element, str]  # the qualified name, e.g. "bpmn:process"


def _read_xml(content: str | bytes) -> XmlDocument:
    """Parse XML into an ElementTree, remembering where each element's start tag ends.

    Bytes are decoded as the engine's parser decodes them; a ``str`` is taken as the text.
    ``xerces.NotWellFormed`` carries the engine's message for a file that is not XML. expat
    decides whether a file is well-formed; what it accepts and the engine refuses (a DOCTYPE,
    an XML version other than 1.0 and 1.1) is refused here too.
    """
    decoded = xerces.decode(content) if isinstance(content, bytes) else xerces.Decoded(content)
    if decoded.problem is not None:  # reported only if no error comes before it
        raise xerces.NotWellFormed(
            xerces.first_error(decoded.text, complete=False) or decoded.problem
        )
    text = decoded.text
    raw = text.encode("utf-8")
    builder = ET.TreeBuilder()
    positions: dict[ET.Element, tuple[int, int]] = {}
    names: dict[ET.Element, str] = {}
    # The text is decoded already: the declaration's encoding must not apply again.
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name(tag: str) -> str:  # expat's "uri}local" -> ElementTree's "{uri}local"
        return "{" + tag if "}" in tag else tag

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(name(tag), {name(k): v for k, v in attributes.items()})
        positions[element] = _position(raw, _tag_end(raw, parser.CurrentByteIndex))
        written = _START_TAG_NAME.match(raw, parser.CurrentByteIndex)
        names[element] = written.group(1).decode() if written else tag

    def refused(*_: object) -> None:
        raise xerces.NotWellFormed(xerces.first_error(text) or xerces.DOCTYPE_NOT_ALLOWED)

    def declaration(version: str | None, *_: object) -> None:
        if version not in ("1.0", "1.1"):
            refused()

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refused
    parser.XmlDeclHandler = declaration
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as error:
        # expat's own words where the mock does not know the engine's message.
        raise xerces.NotWellFormed(
            xerces.first_error(text)
            or f"the file is not well-formed XML: {expat.ErrorString(error.code)} "
            f"(line {error.lineno}, column {error.offset + 1})"
        ) from None
    return XmlDocument(builder.close(), positions, names)


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
    listeners: tuple[Listener, ...] = ()


def _tag(element: ET.Element) -> tuple[str, str]:
    namespace, _, local = element.tag[1:].partition("}")
    return namespace, local


def _camunda(element: ET.Element, name: str) -> str | None:
    return element.get(f"{{{CAMUNDA_NS}}}{name}")


def _extensions(element: ET.Element, local: str) -> list[ET.Element]:
    """The ``camunda:<local>`` children of an element's ``extensionElements``."""
    return element.findall(f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}{local}")


def parse_duration(text: str) -> float:
    """Seconds of an ISO 8601 duration such as ``PT5M`` or ``P1DT2H``."""
    seconds = _duration_seconds(text.strip())
    if seconds is None:
        raise BpmnParseError(f"timer duration '{text}' is not an ISO 8601 duration like PT5M")
    return seconds


def _duration_seconds(text: str) -> int | None:
    match = _DURATION.match(text)
    if not match or not any(match.groupdict().values()):
        return None
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return ((parts["days"] * 24 + parts["hours"]) * 60 + parts["minutes"]) * 60 + parts["seconds"]


# -- camunda:historyTimeToLive (ParseUtil.parseHistoryTimeToLive) ---------------------------


def _java_int(text: str) -> int:
    """``Integer.parseInt``; ``ValueError`` carries Java's NumberFormatException message."""
    digits = text[1:] if text[:1] in "+-" else text
    if digits and all(char.isdecimal() for char in digits):
        number = int(text)
        if -(2**31) <= number < 2**31:
            return number
    raise ValueError(f'For input string: "{text}"')


def history_time_to_live(text: str | None) -> int | None:
    """Days from a non-negative integer or ``P<n>D``; None when absent or empty.

    ``ValueError`` carries the engine's message (``Cannot parse historyTimeToLive: ...``).
    """
    if not text:
        return None
    iso = _TTL_ISO.fullmatch(text)
    try:
        days = _java_int(iso.group(1) if iso else text)
    except ValueError as error:
        raise ValueError(f"Cannot parse historyTimeToLive: {error}") from None
    if days < 0:
        raise ValueError("Cannot parse historyTimeToLive: negative value is not allowed")
    return days


# -- camunda:failedJobRetryTimeCycle (DefaultJobRetryCmd) ----------------------------------


@dataclass(frozen=True)
class RetryCycle:
    """How a failing job is retried: its retries, and the wait before each retry."""

    retries: int
    intervals: tuple[int, ...]  # seconds; a repeat cycle has one

    def wait(self, retries_before: int) -> timedelta:
        """The wait after a failure of a job that had ``retries_before`` retries left.

        A list of intervals is walked one per failure (the first after the first failure);
        its last interval stays once the list is used up.
        """
        index = min(max(self.retries - retries_before, 0), len(self.intervals) - 1)
        return timedelta(seconds=self.intervals[index])


@lru_cache(maxsize=256)
def retry_cycle(text: str | None) -> RetryCycle | None:
    """The cycle of a ``camunda:failedJobRetryTimeCycle`` text; None for the engine's default
    (3 retries, due again at once), which the engine also uses for text it cannot read.

    ``ValueError`` names a cycle the engine reads but the mock cannot follow.
    """
    text = (text or "").strip()
    if not text:
        return None
    if "${" in text or "#{" in text:
        raise ValueError(f"failedJobRetryTimeCycle '{text}': expressions are not supported")
    parts = text.split(",")
    if len(parts) > 1:  # one interval per retry, in order
        seconds = [_duration_seconds(part.strip()) for part in parts]
        if any(s is None for s in seconds):
            raise ValueError(
                f"failedJobRetryTimeCycle '{text}': only intervals like PT10M are supported"
            )
        return RetryCycle(len(parts) + 1, tuple(s for s in seconds if s is not None))
    pieces = text.split("/")
    if len(pieces) == 2 and re.fullmatch(r"R\d+", pieces[0], re.ASCII) and int(pieces[0][1:]):
        interval = _duration_seconds(pieces[1])
        if interval is not None:
            return RetryCycle(int(pieces[0][1:]), (interval,))
    elif len(pieces) == 1:
        interval = _duration_seconds(text)
        if interval is not None:
            return RetryCycle(2, (interval,))  # one interval: the first try and one retry
        if not _XS_DURATION.fullmatch(text):
            return None  # DurationHelper fails on it, so the engine keeps its default
    raise ValueError(
        f"failedJobRetryTimeCycle '{text}' is not supported (supported: R<n>/<duration>, "
        "<duration>, <duration>,<duration>... with durations like P1DT2H30M10S)"
    )


# -- expressions and delegates --------------------------------------------------------------


def _expression(text: str, element: ET.Element, where: Where, in_task: bool = False) -> str:
    """Check an expression's text at deployment; the text is what the model keeps."""
    try:
        compile_expression(text, in_task)
    except UnsupportedExpression as error:
        raise where.error(f"expression '{text}': {error}", element) from None
    return text


@dataclass
class Where:
    """Where in the file a problem is: the positions of its elements, and the owning id."""

    positions: dict[ET.Element, tuple[int, int]]
    owner: str | None = None  # the id the engine names for elements without their own

    def error(self, message: str, element: ET.Element) -> BpmnParseError:
        """A problem at this element (its id, or its owner's)."""
        return BpmnParseError(
            message, element.get("id") or self.owner, self.positions.get(element, (0, 0))
        )


def _listeners(
    element: ET.Element, where: Where, local: str, events: tuple[str, ...]
) -> tuple[Listener, ...]:
    """The ``camunda:executionListener`` or ``camunda:taskListener`` of an element.

    ``events`` are the events allowed (none: a sequence flow's listeners take no event). The
    engine places a task listener's event problem at the task, any other at the listener.
    """
    found = []
    in_task = local == "taskListener"
    noun = "taskListener" if in_task else "listener"
    for listener in _extensions(element, local):
        event = listener.get("event")
        if events:
            at = element if in_task else listener
            if event is None:
                raise where.error(f"Attribute 'event' is mandatory on {noun}", at)
            if event not in events:
                raise where.error(f"Attribute 'event' must be one of {{{'|'.join(events)}}}", at)
            if event == "timeout":
                raise where.error("task listeners of the timeout event are not supported", listener)
        delegate = _listener_delegate(listener, where, local, in_task)
        found.append(Listener(event or "take", delegate))
    return tuple(found)


def _listener_delegate(listener: ET.Element, where: Where, local: str, in_task: bool) -> Delegate:
    for kind in (CLASS, EXPRESSION, DELEGATE_EXPRESSION):
        value = listener.get(kind)
        if value is not None:
            if kind != CLASS:
                value = _expression(value, listener, where, in_task)
            return Delegate(kind, value)
    if listener.find(f"{{{CAMUNDA_NS}}}script") is not None:
        raise where.error("script listeners are not supported by the mock", listener)
    raise where.error(
        f"Element 'class', 'expression', 'delegateExpression' or 'script' is mandatory on {local}",
        listener,
    )


def _mandatory(local: str) -> str:
    """The engine's problem of a service or send task without an implementation."""
    connector = (
        " If you are using a connector, make sure the connect process engine plugin is "
        "registered with the process engine."
        if local == "serviceTask"
        else ""
    )
    return (
        "One of the attributes 'class', 'delegateExpression', 'type', or 'expression' is "
        f"mandatory on {local}.{connector}"
    )


def _service_delegate(element: ET.Element, local: str, activity: Activity, where: Where) -> None:
    """A service or send task's implementation, checked in the engine's order."""
    element_id = activity.id
    task_type = _camunda(element, "type")
    class_name = _camunda(element, "class")
    delegate_expression = _camunda(element, "delegateExpression")
    expression = _camunda(element, "expression")
    result = _camunda(element, "resultVariable")
    if result is None:
        result = _camunda(element, "resultVariableName")  # the older attribute name
    if task_type is not None:
        if task_type.lower() != "external":
            if task_type.lower() in ("mail", "shell"):
                raise where.error(
                    f"{local} '{element_id}': camunda:type '{task_type}' is not "
                    "supported by the mock",
                    element,
                )
            problem = where.error(
                f"Invalid usage of type attribute on {local}: '{task_type}'", element
            )
            problem.more = (where.error(_mandatory(local), element),)
            raise problem
        topic = _camunda(element, "topic")
        if not topic:
            raise where.error(
                "External tasks must specify a 'topic' attribute in the camunda namespace", element
            )
        activity.topic = topic
        return
    if class_name is not None and class_name.strip():
        uses = CLASS
        activity.delegate = Delegate(CLASS, class_name)
    elif delegate_expression is not None:
        uses = DELEGATE_EXPRESSION
        activity.delegate = Delegate(
            DELEGATE_EXPRESSION, _expression(delegate_expression, element, where)
        )
    elif expression is not None and expression.strip():
        activity.delegate = Delegate(EXPRESSION, _expression(expression, element, where))
        activity.result_variable = result
        return
    else:
        raise where.error(_mandatory(local), element)
    if result is not None:
        raise where.error(
            f"'resultVariableName' not supported for {local} elements using '{uses}'", element
        )


def _activity(element: ET.Element, local: str, errors: dict[str, str], where: Where) -> Activity:
    element_id = element.get("id")
    if not element_id:
        raise BpmnParseError(f"a <{local}> has no id")
    activity = Activity(
        id=element_id,
        kind=_SIMPLE_KINDS[local],
        name=element.get("name"),
        async_before=_camunda(element, "asyncBefore") == "true",
        async_after=_camunda(element, "asyncAfter") == "true",
        default_flow=element.get("default"),
        attached_to=element.get("attachedToRef"),
    )
    if local in ("serviceTask", "sendTask"):
        _service_delegate(element, local, activity, where)
    definitions = [child for child in element if _tag(child)[1].endswith("EventDefinition")]
    if local == "boundaryEvent":
        error = element.find(f"{{{BPMN_NS}}}errorEventDefinition")
        if error is None or len(definitions) != 1 or not activity.attached_to:
            raise where.error(
                f"boundary event '{element_id}': only error boundary events attached to an "
                "activity are supported",
                element,
            )
        activity.error_code = errors.get(error.get("errorRef") or "")
    elif local == "intermediateCatchEvent":
        timer = element.find(f"{{{BPMN_NS}}}timerEventDefinition/{{{BPMN_NS}}}timeDuration")
        if timer is None or not (timer.text or "").strip():
            raise where.error(
                f"intermediate catch event '{element_id}': only timers with a timeDuration "
                "are supported",
                element,
            )
        try:
            activity.timer_seconds = parse_duration(timer.text or "")
        except BpmnParseError as problem:
            raise where.error(str(problem), element) from None
    elif definitions:
        names = ", ".join(_tag(d)[1] for d in definitions)
        raise where.error(f"{local} '{element_id}' has an unsupported {names}", element)
    activity.listeners = _listeners(element, where, "executionListener", _EXECUTION_EVENTS)
    if local == "userTask":
        activity.task_listeners = _listeners(element, where, "taskListener", _TASK_EVENTS)
    cycles = _extensions(element, "failedJobRetryTimeCycle")
    if cycles:
        activity.retry_cycle = cycles[0].text or ""
        try:
            retry_cycle(activity.retry_cycle)
        except ValueError as problem:
            raise where.error(str(problem), cycles[0]) from None
    return activity


def _process_ttl(element: ET.Element, where: Where) -> int:
    """``camunda:historyTimeToLive``, required as the engine enforces it (since 7.20)."""
    try:
        days = history_time_to_live(_camunda(element, "historyTimeToLive"))
    except ValueError as error:
        message = str(error)
    else:
        if days is not None:
            return days
        message = _TTL_MISSING
    # The engine's problem repeats the message: its cause, with the same text, is appended.
    raise where.error(f"{message}: {message}", element)


def _process(
    element: ET.Element, errors: dict[str, str], positions: dict[ET.Element, tuple[int, int]]
) -> ParsedProcess:
    key = element.get("id")
    if not key:
        raise BpmnParseError("a <process> has no id")
    where = Where(positions, key)
    process = ParsedProcess(
        key=key,
        name=element.get("name"),
        version_tag=_camunda(element, "versionTag"),
        history_time_to_live=_process_ttl(element, where),
    )
    for child in element:
        namespace, local = _tag(child)
        if namespace != BPMN_NS or local in _IGNORED:
            continue
        if local == "sequenceFlow":
            flow = _flow(child, key, Where(positions, child.get("id")))
            process.flows[flow.id] = flow
        elif local in _SIMPLE_KINDS:
            activity = _activity(child, local, errors, Where(positions, child.get("id")))
            process.activities[activity.id] = activity
        else:
            raise BpmnParseError(
                f"process '{key}': <{local}> is not supported by the mock",
                child.get("id"),
                positions.get(child, (0, 0)),
            )
    process.listeners = _listeners(element, where, "executionListener", _EXECUTION_EVENTS)
    _check_graph(process, {child.get("id") or "": child for child in element}, where)
    return process


def _flow(element: ET.Element, key: str, where: Where) -> SequenceFlow:
    flow_id, source, target = element.get("id"), element.get("sourceRef"), element.get("targetRef")
    if not (flow_id and source and target):
        raise BpmnParseError(f"process '{key}': a sequenceFlow lacks id, sourceRef or targetRef")
    condition = element.find(f"{{{BPMN_NS}}}conditionExpression")
    text = None
    if condition is not None:
        text = _expression((condition.text or "").strip(), condition, where)
    return SequenceFlow(
        flow_id, source, target, text, _listeners(element, where, "executionListener", ())
    )


def _check_graph(process: ParsedProcess, elements: dict[str, ET.Element], where: Where) -> None:
    starts = [a for a in process.activities.values() if a.kind == "startEvent"]
    if len(starts) != 1:
        raise BpmnParseError(f"process '{process.key}' must have exactly one start event")
    for flow in process.flows.values():
        for end in (flow.source, flow.target):
            if end not in process.activities:
                raise where.error(
                    f"sequence flow '{flow.id}' refers to unknown activity '{end}'",
                    elements[flow.id],
                )
    for activity in process.activities.values():
        if activity.attached_to is not None and activity.attached_to not in process.activities:
            raise where.error(
                f"boundary event '{activity.id}' is attached to unknown activity "
                f"'{activity.attached_to}'",
                elements[activity.id],
            )
        if activity.kind == "exclusiveGateway":
            _check_exclusive_gateway(process, activity)


def _check_exclusive_gateway(process: ParsedProcess, gateway: Activity) -> None:
    """The engine's rules for a gateway's flows (``BpmnParse.validateExclusiveGateway``)."""
    outgoing = [flow for flow in process.flows.values() if flow.source == gateway.id]
    name = f"Exclusive Gateway '{gateway.id}'"

    def problem(message: str, *flows: SequenceFlow) -> BpmnParseError:
        return BpmnParseError(message, gateway.id, element_ids=(gateway.id, *(f.id for f in flows)))

    if not outgoing:
        raise problem(f"{name} has no outgoing sequence flows.")
    if len(outgoing) == 1:
        if outgoing[0].condition is not None:
            raise problem(
                f"{name} has only one outgoing sequence flow ('{outgoing[0].id}'). This is not "
                "allowed to have a condition.",
                outgoing[0],
            )
        return
    unconditional = []
    for flow in outgoing:
        is_default = flow.id == gateway.default_flow
        if flow.condition is not None and is_default:
            raise problem(
                f"{name} has outgoing sequence flow '{flow.id}' which is the default flow but "
                "has a condition too.",
                flow,
            )
        if flow.condition is None and not is_default:
            unconditional.append(flow)
    if unconditional and (gateway.default_flow or len(unconditional) > 1):
        first, *others = (
            problem(
                f"{name} has outgoing sequence flow '{flow.id}' without condition which is "
                "not the default flow.",
                flow,
            )
            for flow in unconditional
        )
        first.more = tuple(others)
        raise first


def _collapsed(value: str) -> str:
    """An attribute value as XML Schema's whitespace "collapse" leaves it."""
    return re.sub(r"[ \t\n\r]+", " ", value).strip(" ")


def _check_executable_flags(processes: list[ET.Element], document: XmlDocument) -> None:
    """``isExecutable`` is an ``xs:boolean``: the engine's schema validation lists both of
    its problems for every process with another value, at the process."""
    problems = []
    for process in processes:
        value = process.get("isExecutable")
        if value is None or _collapsed(value) in ("true", "false", "1", "0"):
            continue
        where = document.positions[process]
        problems += [
            BpmnParseError(
                f"cvc-datatype-valid.1.2.1: '{_collapsed(value)}' is not a valid value for "
                "'boolean'.",
                None,
                where,
            ),
            BpmnParseError(
                f"cvc-attribute.3: The value '{value}' of attribute 'isExecutable' on element "
                f"'{document.names[process]}' is not valid with respect to its type, 'boolean'.",
                None,
                where,
            ),
        ]
    if problems:
        first, *more = problems
        first.more = tuple(more)
        raise first


def _executable(process: ET.Element) -> bool:
    """Whether the engine deploys the process: only ``true`` (Java's parseBoolean of the
    collapsed value; ``1`` is valid but not true). Without the attribute the engine ignores
    the process in a new deployment, as with ``false``."""
    return _collapsed(process.get("isExecutable") or "") == "true"


def parse_bpmn(text: str | bytes, resource: str | None = None) -> list[ParsedProcess]:
    """Every executable process of a BPMN document (``resource``: its file name).

    A file without one deploys nothing, as the engine does: it creates the deployment and no
    definition. A root other than BPMN's ``<definitions>`` is the engine's schema error (the
    mock does not go on to read processes under it, as the engine does).
    """
    document = _read_xml(text)
    root = document.root
    if _tag(root) != (BPMN_NS, "definitions"):
        raise BpmnParseError(
            f"cvc-elt.1.a: Cannot find the declaration of element '{document.names[root]}'.",
            None,
            document.positions[root],
        )
    errors = {
        error.get("id", ""): error.get("errorCode") or error.get("id") or ""
        for error in root.findall(f"{{{BPMN_NS}}}error")
    }
    elements = root.findall(f"{{{BPMN_NS}}}process")
    _check_executable_flags(elements, document)
    processes = [
        _process(element, errors, document.positions)
        for element in elements
        if _executable(element)
    ]
    for process in processes:
        process.resource = resource
        process.category = root.get("targetNamespace")
    return processes
