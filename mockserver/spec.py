"""Load ``openapi.yaml`` once and turn request bodies into checked Python values.

Reading a body follows the engine's order: the JSON is parsed and mapped onto the operation's
schema as Jackson maps it onto the DTO (``jackson.py``: a parse error is a 400 in plain text;
scalar coercion, wrong JSON types and unknown instruction types are rejected with a 400 whose
message is empty; no body at all is the operation's ``x-null-body`` answer), and only then do
the engine's own rules run (in ``batches.py``). Constraints such as ``required`` or
``minimum`` are part of the contract, but the engine enforces them with its own messages
and in its own order, so they are left to those rules here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import jackson
from .coercion import Coerce, Coercions, Misfit
from .engine_versions import DEFAULT_ENGINE_VERSION
from .errors import CamundaError, invalid_request, mapping_error, parse_error
from .mapping_check import Check, MappingChecks

SPEC_URI = "urn:camunda-batch-contracts:openapi"

# Keywords that Jackson's mapping enforces; everything else is an engine rule.
MAPPING_KEYWORDS = frozenset({"type", "enum", "const", "additionalProperties", "pattern"})


def spec_path() -> Path:
    """Where ``openapi.yaml`` is: inside the installed package, or at the repository top."""
    packaged = resources.files("mockserver") / "openapi.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "openapi.yaml"


def load_document(path: Path | None = None) -> dict[str, Any]:
    """The OpenAPI document as a dict."""
    with open(path or spec_path(), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Spec:
    """The contract, with one compiled body validator per operation."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._registry = Registry().with_resource(
            SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self._body_schemas: dict[str, dict[str, Any]] = {}
        self._validators: dict[str, Draft202012Validator] = {}
        self._resolved: dict[str, dict[str, Any]] = {}  # by $ref: the document is fixed
        self._coercion_compiler = Coercions(self.resolve)
        self._coercions: dict[str, Coerce] = {}
        self._mapping_checks = MappingChecks(document)
        self._quick_checks: dict[str, Check] = {}
        self._dtos: dict[str, _Dto] = {}
        self._null_bodies: dict[str, dict[str, Any]] = {}
        for path_item in document["paths"].values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                content = operation.get("requestBody", {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if schema is not None:
                    self._add_body(operation, schema)

    def _add_body(self, operation: dict[str, Any], schema: dict[str, Any]) -> None:
        operation_id = operation["operationId"]
        if "$ref" not in schema:
            raise ValueError(f"{operation_id}: request bodies must $ref a component schema")
        if "x-null-body" not in operation:
            raise ValueError(f"{operation_id}: a JSON body needs the x-null-body answer")
        self._null_bodies[operation_id] = operation["x-null-body"]
        self._body_schemas[operation_id] = schema
        self._dtos[operation_id] = _Dto(
            self.resolve(schema), lambda body: self._map(operation_id, body, refuse=False)
        )
        # Refer into the registered document so nested $refs resolve against it.
        root = {"$ref": SPEC_URI + schema["$ref"]}
        self._validators[operation_id] = Draft202012Validator(root, registry=self._registry)
        self._quick_checks[operation_id] = self._mapping_checks.compile(schema)
        self._coercions[operation_id] = self._coercion_compiler.compile(schema)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow a local ``$ref`` to the schema it names."""
        if "$ref" not in schema:
            return schema
        found = self._resolved.get(schema["$ref"])
        if found is None:
            found = schema
            while "$ref" in found:
                node: Any = self.document
                for part in found["$ref"].lstrip("#/").split("/"):
                    node = node[part]
                found = node
            self._resolved[schema["$ref"]] = found
        return found

    def schema(self, name: str) -> dict[str, Any]:
        """A component schema by name."""
        return self.document["components"]["schemas"][name]

    @cached_property
    def divergences(self) -> dict[str, dict[str, Any]]:
        """The ``x-divergences`` entries by id: the engine's answer and the documents'."""
        return {entry["id"]: entry for entry in self.document.get("x-divergences", [])}

    def served_document(self, base_path: str) -> dict[str, Any]:
        """The document as ``GET /openapi.json`` serves it, pointing at the live base path."""
        served = copy.deepcopy(self.document)
        served["servers"] = [{"url": base_path}]
        return served

    # -- reading a body -----------------------------------------------------------------

    def read_body(
        self, operation_id: str, raw: bytes | None, engine_version: str = DEFAULT_ENGINE_VERSION
    ) -> dict[str, Any]:
        """The body as the resource gets it, read and mapped the way Jackson does (the Jackson
        of Camunda ``engine_version``).

        ``raw`` None: the request has no entity at all. Raises the engine's answer otherwise:
        a parse error, a mapping error, a parser limit, or the operation's null-body answer.
        """
        try:
            dto = self._dtos[operation_id]
            body = None if raw is None else jackson.read(raw, dto, engine_version)
            if body is None:
                raise self.null_body_error(operation_id)
            return self._map(operation_id, body)
        except jackson.JsonParseError as error:
            raise parse_error(error.text) from None
        except jackson.MappingFailure as failure:
            raise mapping_error(failure.detail) from None
        except jackson.StreamConstraintError as error:
            raise CamundaError(500, "StreamConstraintsException", error.message) from None
        except jackson.EncodingError as error:
            raise CamundaError(500, "CharConversionException", error.message) from None

    def null_body_error(self, operation_id: str) -> CamundaError:
        """What the operation answers when the resource gets no DTO (no body, or ``null``)."""
        answer = self._null_bodies[operation_id]
        return CamundaError(answer["status"], answer["type"], answer["message"], answer["code"])

    def _map(self, operation_id: str, body: dict[str, Any], refuse: bool = True) -> dict[str, Any]:
        """Coerce and type-check a parsed body; ``refuse``: also refuse unsupported filters."""
        try:
            body = self._coercions[operation_id](body)
        except Misfit as misfit:
            raise jackson.MappingFailure(f"{misfit.where()}: {misfit.detail}") from None
        if self.maps_cleanly(operation_id, body):
            return body  # the usual case, without the full schema walk below
        errors = self.mapping_errors(operation_id, body)
        # Jackson's errors first; then the mock's own refusal of filters it cannot apply
        # (the engine would ignore them, silently widening the selection).
        mapping = [e for e in errors if e.validator != "additionalProperties"]
        if mapping:
            first = min(mapping, key=lambda e: list(e.absolute_path))
            raise jackson.MappingFailure(f"{_where(first)}: {first.message}")
        if errors and refuse:
            first = errors[0]
            unknown = sorted(set(first.instance) - set(first.schema.get("properties", {})))
            raise invalid_request(
                f"{_where(first)}: the mock does not support the filter(s) {', '.join(unknown)}; "
                "it refuses them instead of ignoring them as the engine would"
            )
        return body

    def maps_cleanly(self, operation_id: str, body: Any) -> bool:
        """Quick and sure: True only if ``mapping_errors`` would find nothing (False: ask it)."""
        return self._quick_checks[operation_id](body)

    def mapping_errors(self, operation_id: str, body: Any) -> list[Any]:
        """Every error Jackson would raise mapping ``body``, plus unknown query filters."""
        validator = self._validators[operation_id]
        return [e for e in validator.iter_errors(body) if self._is_mapping_error(e)]

    def _is_mapping_error(self, error: Any) -> bool:
        # if/then constraints (an instruction's required id) are the engine's own checks.
        if "then" in error.absolute_schema_path:
            return False
        if error.validator in MAPPING_KEYWORDS:
            return True
        # A polymorphic DTO cannot be mapped without its discriminator (Jackson @JsonTypeInfo).
        if error.validator == "required":
            discriminator = error.schema.get("discriminator", {}).get("propertyName")
            return discriminator is not None and discriminator not in error.instance
        return False


def _where(error: Any) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(body)"


class _Dto:
    """The DTO of one operation's body, as ``jackson.read`` asks about it.

    Jackson reads the value of every property the engine's DTO has: the schema's, and those
    the contract leaves out (``x-engine-also-reads``), whose values the mock does not check.
    """

    def __init__(self, schema: dict[str, Any], map_body: Callable[[dict[str, Any]], Any]) -> None:
        self._map_body = map_body
        self._checked = frozenset(schema.get("properties", {}))
        self._read = self._checked | frozenset(schema.get("x-engine-also-reads", ()))

    def reads(self, name: str) -> bool:
        """Whether the engine's DTO has the property."""
        return name in self._read

    def check(self, name: str, value: Any) -> None:
        """Map one property's value as Jackson would, before the body's later properties."""
        if name in self._checked:
            self._map_body({name: value})


def unsupported_media_type() -> CamundaError:
    """What JAX-RS answers when a JSON resource gets another content type."""
    return CamundaError(415, "NotSupportedException", "HTTP 415 Unsupported Media Type")
