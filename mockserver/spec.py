"""Load ``openapi.yaml`` once and turn request bodies into checked Python values.

Reading a body follows the engine's order: the JSON is parsed, then mapped onto the
operation's schema as Jackson maps it onto the DTO (scalar coercion, wrong JSON types and
unknown instruction types rejected with a 400 whose message is empty), and only then do the
engine's own rules run (in ``batches.py``). Constraints such as ``required`` or
``minimum`` are part of the contract, but the engine enforces them with its own messages
and in its own order, so they are left to those rules here.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .clock import parse_engine_date
from .errors import CamundaError, invalid_request, mapping_error
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
        self._declared_types: dict[int, frozenset[str]] = {}
        self._mapping_checks = MappingChecks(document)
        self._quick_checks: dict[str, Check] = {}
        for path_item in document["paths"].values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                content = operation.get("requestBody", {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if schema is not None:
                    self._add_body(operation["operationId"], schema)

    def _add_body(self, operation_id: str, schema: dict[str, Any]) -> None:
        if "$ref" not in schema:
            raise ValueError(f"{operation_id}: request bodies must $ref a component schema")
        self._body_schemas[operation_id] = schema
        # Refer into the registered document so nested $refs resolve against it.
        root = {"$ref": SPEC_URI + schema["$ref"]}
        self._validators[operation_id] = Draft202012Validator(root, registry=self._registry)
        self._quick_checks[operation_id] = self._mapping_checks.compile(schema)

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

    def read_body(self, operation_id: str, raw: bytes) -> dict[str, Any]:
        """Parse, coerce and type-check a request body the way Jackson maps it."""
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise mapping_error(f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            found = "no body" if body is None else f"a JSON {type(body).__name__}"
            raise mapping_error(f"the body must be a JSON object, not {found}")
        body = self._coerce(body, self._body_schemas[operation_id], ())
        if self.maps_cleanly(operation_id, body):
            return body  # the usual case, without the full schema walk below
        errors = self.mapping_errors(operation_id, body)
        # Jackson's errors first; then the mock's own refusal of filters it cannot apply
        # (the engine would ignore them, silently widening the selection).
        mapping = [e for e in errors if e.validator != "additionalProperties"]
        if mapping:
            first = min(mapping, key=lambda e: list(e.absolute_path))
            raise mapping_error(f"{_where(first)}: {first.message}")
        if errors:
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

    def _coerce(self, value: Any, schema: dict[str, Any], where: tuple[Any, ...]) -> Any:
        """Jackson's default scalar coercions, guided by the schema's declared types.

        ``where`` is the path to ``value`` as a tuple; it is only turned into text for an
        error, as every value of every body passes through here.
        """
        schema = self.resolve(schema)
        if isinstance(value, dict):
            properties = schema.get("properties")
            if properties is None:
                return value
            return {
                key: self._coerce(item, properties[key], (*where, key))
                if key in properties
                else item
                for key, item in value.items()
            }
        if isinstance(value, list):
            items = schema.get("items")
            if items is None:
                return value
            return [self._coerce(item, items, (*where, i)) for i, item in enumerate(value)]
        types = self._types(schema)
        if "integer" in types:
            return self._coerce_integer(value, schema, where)
        if isinstance(value, str):
            if "pattern" in schema:
                return self._check_date(value, schema["pattern"], where)
            if "boolean" in types and value in ("true", "false"):
                return value == "true"
            return value
        if "string" in types and value is not None:
            return json.dumps(value)  # Jackson writes scalars into String fields as text
        return value

    def _types(self, schema: dict[str, Any]) -> frozenset[str]:
        """A schema's declared ``type``s (the document is fixed: kept by the schema's id)."""
        types = self._declared_types.get(id(schema))
        if types is None:
            declared = schema.get("type", [])
            types = frozenset([declared] if isinstance(declared, str) else declared)
            self._declared_types[id(schema)] = types
        return types

    @staticmethod
    def _check_date(value: str, pattern: str, where: tuple[Any, ...]) -> str:
        """Dates are the only patterned strings; one of the right shape must also exist."""
        if re.fullmatch(pattern, value):
            try:
                parse_engine_date(value)
            except ValueError as exc:
                raise mapping_error(f"{_path(where)}: {exc}") from None
        return value

    def _coerce_integer(self, value: Any, schema: dict[str, Any], where: tuple[Any, ...]) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                return value  # left for the type check to reject
        elif isinstance(value, float):
            value = int(value)  # Jackson truncates floats written into integer fields
        bits = 64 if schema.get("format") == "int64" else 32
        limit = 2 ** (bits - 1)
        if isinstance(value, int) and not -limit <= value < limit:
            raise mapping_error(f"{_path(where)}: {value} is out of range of a {bits}-bit int")
        return value


def _path(where: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in where)


def _where(error: Any) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(body)"


def unsupported_media_type() -> CamundaError:
    """What JAX-RS answers when a JSON resource gets another content type."""
    return CamundaError(415, "NotSupportedException", "HTTP 415 Unsupported Media Type")
