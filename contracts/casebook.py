"""The contract cases as data: ``contracts/cases/*.yaml``, one file per endpoint.

A case names a request and what the contract expects of the answer: a status with an error
``type`` and ``message`` (exact, or a pattern), a status with a plain-text body (``text``, exact or
a pattern: how the engine answers a body Jackson's parser cannot read), or a created batch with
the number of items the engine collects. A case at a documented divergence holds both sides
(``engine`` and ``docs``); the profile under test picks the side that conforms. Every file is
checked against ``case-file.schema.json`` when it is loaded, so a typo in a case stops the run
with the file and the place, instead of turning into a test that checks nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from mockserver.app import default_spec
from mockserver.engine_versions import version_key

CASES_PACKAGE = "contracts"
CASES_DIR = "cases"
FORMAT_FILE = "case-file.schema.json"
JSON_MEDIA_TYPE = "application/json"
TEXT_MEDIA_TYPE = "text/plain"


class CaseFileError(Exception):
    """A case file does not follow the case format."""


@dataclass(frozen=True)
class BatchExpectation:
    """A created batch: its ``type`` and the number of items it covers."""

    type: str
    items: int


@dataclass(frozen=True)
class Expectation:
    """One expected answer: a status with an error, a plain text or a batch."""

    status: int
    error_type: str | None = None
    message: str | None = None
    message_pattern: str | None = None
    checks_message: bool = False
    code: int | None = None
    checks_code: bool = False
    batch: BatchExpectation | None = None
    text: str | None = None
    text_pattern: str | None = None

    @property
    def is_text(self) -> bool:
        """Whether the answer is plain text rather than JSON."""
        return self.text is not None or self.text_pattern is not None

    @property
    def media_type(self) -> str:
        """The media type the answer must declare."""
        return TEXT_MEDIA_TYPE if self.is_text else JSON_MEDIA_TYPE

    def describe(self) -> str:
        """``400 InvalidRequestException 'retries is null'`` or ``200 batch of 2 items``."""
        if self.batch is not None:
            return f"{self.status} {self.batch.type} batch of {self.batch.items} items"
        if self.text_pattern is not None:
            return f"{self.status} {TEXT_MEDIA_TYPE} matching /{self.text_pattern}/"
        if self.text is not None:
            return f"{self.status} {TEXT_MEDIA_TYPE} {self.text!r}"
        text = f"{self.status} {self.error_type}"
        if self.message_pattern is not None:
            return f"{text} message matching /{self.message_pattern}/"
        if self.checks_message:
            return f"{text} {self.message!r}"
        return text

    def message_matches(self, message: Any) -> bool:
        """Whether an answer's ``message`` is the expected one (always, if none is expected)."""
        if self.message_pattern is not None:
            return (
                isinstance(message, str) and re.fullmatch(self.message_pattern, message) is not None
            )
        return not self.checks_message or message == self.message

    def text_matches(self, text: str) -> bool:
        """Whether a plain-text answer is the expected text (or matches its pattern)."""
        if self.text_pattern is not None:
            return re.fullmatch(self.text_pattern, text, re.DOTALL) is not None
        return text == self.text


@dataclass(frozen=True)
class Request:
    """What a case sends; ``{placeholders}`` are filled from the case's arranged data.

    ``content_type`` None: the default (``application/json``); an empty string: no
    ``Content-Type`` header at all.
    """

    method: str
    path: str
    json_body: Any = None
    has_json: bool = False
    raw: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Arrangement:
    """The data a case needs before its request: instances of the suite's process."""

    instances: int = 0
    terminated: bool = False


@dataclass(frozen=True)
class Case:
    """One contract case of one endpoint."""

    name: str
    group: str
    endpoint: str
    request: Request
    expectations: dict[str, Expectation]
    arrange: Arrangement = field(default_factory=Arrangement)
    divergence: str | None = None
    about: str = ""
    # Where older releases answer otherwise: (the first release with the answer above, the
    # answer of the releases before it).
    before: tuple[str, Expectation] | None = None

    @property
    def id(self) -> str:
        """The test id: the case name under its endpoint file, ``job-retries/retries-null``."""
        return f"{self.group}/{self.name}"

    def expected(self, profile: str, version: str | None = None) -> Expectation:
        """The answer that conforms under ``profile`` (``engine`` or ``docs``) on the target's
        release ``version`` (``None``: the newest)."""
        if self.before is not None and version is not None:
            since, earlier = self.before
            if version_key(version) < version_key(since):
                return earlier
        return self.expectations.get(profile) or self.expectations["any"]

    def other_side(self, profile: str) -> tuple[str, Expectation] | None:
        """At a divergence: the other profile's name and answer; otherwise None."""
        if self.divergence is None:
            return None
        other = "docs" if profile == "engine" else "engine"
        return other, self.expectations[other]


@cache
def _format_validator() -> Draft202012Validator:
    text = _cases_dir().joinpath(FORMAT_FILE).read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _divergence_ids() -> set[str]:
    return set(default_spec().divergences)


def _cases_dir() -> Traversable:
    return resources.files(CASES_PACKAGE).joinpath(CASES_DIR)


def load_cases() -> list[Case]:
    """Every case of every file in ``contracts/cases``, files in name order."""
    cases: list[Case] = []
    files = sorted(
        (entry for entry in _cases_dir().iterdir() if entry.name.endswith(".yaml")),
        key=lambda entry: entry.name,
    )
    for entry in files:
        cases.extend(parse_case_file(entry.name, entry.read_text("utf-8")))
    known = _divergence_ids()
    for case in cases:
        if case.divergence is not None and case.divergence not in known:
            raise CaseFileError(
                f"{case.group}.yaml, case {case.name}: '{case.divergence}' is no x-divergences "
                "entry of openapi.yaml"
            )
    ids = [case.id for case in cases]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise CaseFileError(f"case names repeat within a file: {', '.join(duplicates)}")
    return cases


def parse_case_file(file_name: str, text: str) -> list[Case]:
    """The cases of one file; :class:`CaseFileError` names the file and the bad place."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CaseFileError(f"{file_name}: not YAML: {exc}") from None
    errors = sorted(_format_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        lines = [f"  at {_where(error.path)}: {error.message}" for error in errors[:5]]
        raise CaseFileError(f"{file_name} breaks the case format:\n" + "\n".join(lines))
    group = file_name.removesuffix(".yaml")
    return [_case(group, document, raw) for raw in document["cases"]]


def _case(group: str, document: dict[str, Any], raw: dict[str, Any]) -> Case:
    request = raw["request"]
    path = request.get("path", document.get("path"))
    if path is None:
        raise CaseFileError(f"{group}.yaml, case {raw['name']}: no request path (file or case)")
    expect = raw["expect"]
    if "divergence" in raw:
        expectations = {side: _expectation(expect[side]) for side in ("engine", "docs")}
    else:
        expectations = {"any": _expectation(expect)}
    arrange = raw.get("arrange", {})
    before = raw.get("before")
    return Case(
        before=(before["version"], _expectation(before["expect"])) if before else None,
        name=raw["name"],
        group=group,
        endpoint=document["endpoint"],
        about=raw.get("about", ""),
        request=Request(
            method=request.get("method", document["endpoint"].split()[0]),
            path=path,
            json_body=request.get("json"),
            has_json="json" in request,
            raw=request.get("raw"),
            content_type=request.get("contentType"),
        ),
        expectations=expectations,
        arrange=Arrangement(arrange.get("instances", 0), arrange.get("terminated", False)),
        divergence=raw.get("divergence"),
    )


def _expectation(raw: dict[str, Any]) -> Expectation:
    batch = raw.get("batch")
    return Expectation(
        status=raw["status"],
        error_type=raw.get("type"),
        message=raw.get("message"),
        message_pattern=raw.get("messagePattern"),
        checks_message="message" in raw,
        code=raw.get("code"),
        checks_code="code" in raw,
        batch=BatchExpectation(batch["type"], batch["items"]) if batch else None,
        text=raw.get("text"),
        text_pattern=raw.get("textPattern"),
    )


def _where(path: Any) -> str:
    return "/".join(str(part) for part in path) or "(top)"
