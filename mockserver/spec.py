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
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .coercion import Coerce, Coercions, Misfit
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
        self._coercion_compiler = Coercions(self.resolve)
        self._coercions: dict[str, Coerce] = {}
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

    def read_body(self, operation_id: str, raw: bytes) -> dict[str, Any]:
        """Parse, coerce and type-check a request body the way Jackson maps it."""
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise mapping_error(f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            found = "no body" if body is None else f"a JSON {type(body).__name__}"
            raise mapping_error(f"the body must be a JSON object, not {found}")
        try:
            body = self._coercions[operation_id](body)
        except Misfit as misfit:
            raise mapping_error(f"{misfit.where()}: {misfit.detail}") from None
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


def _where(error: Any) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(body)"


def unsupported_media_type() -> CamundaError:
    """What JAX-RS answers when a JSON resource gets another content type."""
    return CamundaError(415, "NotSupportedException", "HTTP 415 Unsupported Media Type")
