"""Deployments and process definitions: what ``/deployment`` and ``/process-definition`` do."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import params, xerces
from .bpmn import BpmnParseError, ParsedProcess, parse_bpmn
from .errors import CamundaError, invalid_request, process_engine_error, rest_error
from .expressions import ExpressionParseError
from .models import ProcessDefinition
from .queries import like
from .runtime import ProcessRuntime
from .store import Deployment, EngineStore

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")


@dataclass
class DeploymentResult:
    """A deployment and the definitions it created (None when duplicate filtering kept it)."""

    deployment: Deployment
    definitions: list[ProcessDefinition] | None

    def to_json(self) -> dict[str, Any]:
        """``DeploymentWithDefinitionsDto``."""
        deployed = None
        if self.definitions is not None:
            deployed = {d.id: d.to_json() for d in self.definitions} or None
        return {
            **self.deployment.to_json(),
            "deployedProcessDefinitions": deployed,
            "deployedCaseDefinitions": None,
            "deployedDecisionDefinitions": None,
            "deployedDecisionRequirementsDefinitions": None,
        }


def parse_error(resource: str, error: BpmnParseError) -> CamundaError:
    """The engine's ``ParseException`` answer: each problem, where it is and which file.

    The message names the place as the engine's problem text does: the line and the column
    only when they are known (a problem of the whole process has neither).
    """
    lines: list[str] = []
    problems: list[dict[str, Any]] = []
    for problem in error.problems():
        place = f" | resource {resource}"
        if problem.line > 0:
            place += f" | line {problem.line}"
        if problem.column > 0:
            place += f" | column {problem.column}"
        lines.append(f"\n* {problem}{place}")
        problems.append(
            {
                "message": str(problem),
                "line": problem.line,
                "column": problem.column,
                "mainElementId": problem.element_id,
                # The engine's DTO spells this key with a Cyrillic ie (U+0435); clients see it.
                "\u0435lementIds": list(problem.element_ids),
            }
        )
    message = "ENGINE-09005 Could not parse BPMN process. Errors: " + "".join(lines)
    details = {resource: {"errors": problems, "warnings": []}}
    return CamundaError(400, "ParseException", message, code=0, extra={"details": details})


class Repository:
    """Deploys BPMN files and looks up definitions (callers hold ``store.lock``)."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime) -> None:
        self.store = store
        self.runtime = runtime

    def deploy(
        self,
        files: dict[str, bytes],
        name: str | None = None,
        source: str | None = None,
        tenant_id: str | None = None,
        duplicate_filtering: bool = False,
        changed_only: bool = False,
    ) -> DeploymentResult:
        """``POST /deployment/create``: parse every BPMN file first, then deploy all or none."""
        if not files:
            raise invalid_request("No deployment resources contained in the form upload.")
        if duplicate_filtering or changed_only:
            previous = self._latest_named(name, tenant_id)
            if previous is not None:
                unchanged = {
                    resource
                    for resource, content in files.items()
                    if previous.resources.get(resource) == content
                }
                if unchanged == set(files):
                    return DeploymentResult(previous, None)
                if changed_only:
                    files = {r: c for r, c in files.items() if r not in unchanged}
        processes: list[ParsedProcess] = []
        for resource, content in files.items():
            if resource.endswith(BPMN_SUFFIXES):
                try:
                    processes += parse_bpmn(content, resource)
                except BpmnParseError as error:
                    raise parse_error(resource, error) from None
                except xerces.NotWellFormed as error:  # the engine's XML parser refused it
                    raise process_engine_error(
                        f"ENGINE-09003 Could not parse '{resource}'. {error}"
                    ) from None
                except ExpressionParseError as error:  # thrown out of the engine's parse
                    raise process_engine_error(
                        f"ENGINE-01009 Error while parsing process. {error}."
                    ) from None
        deployment = self.runtime.deploy(processes, name, tenant_id, source, files)
        definitions = [self.store.definitions[i] for i in deployment.definition_ids]
        return DeploymentResult(deployment, definitions)

    def _latest_named(self, name: str | None, tenant_id: str | None) -> Deployment | None:
        same = [
            d
            for d in self.store.deployments.values()
            if d.name == name and d.tenant_id == tenant_id
        ]
        return max(same, key=lambda d: d.deployment_time, default=None)

    def find_deployment(self, deployment_id: str) -> Deployment:
        deployment = self.store.deployments.get(deployment_id)
        if deployment is None:
            raise invalid_request(f"Deployment with id '{deployment_id}' does not exist", 404)
        return deployment

    def delete_deployment(self, deployment_id: str, cascade: bool) -> None:
        """``DELETE /deployment/{id}``: with ``cascade`` its instances and history go too."""
        deployment = self.store.deployments.get(deployment_id)
        if deployment is None:
            raise invalid_request(f"Deployment with id '{deployment_id}' do not exist", 404)
        owned = set(deployment.definition_ids)
        instances = [i for i in self.store.instances.values() if i.definition.id in owned]
        for definition_id in deployment.definition_ids:
            running = sum(1 for i in instances if i.is_running and i.definition.id == definition_id)
            if running and not cascade:
                raise CamundaError(
                    500,
                    "ProcessEngineException",
                    "ENGINE-03076 Deletion of process definition without cascading failed. "
                    f"Process definition with id: {definition_id} can't be deleted, since there "
                    f"exists {running} dependening process instances.",
                    code=0,
                )
        for instance in instances:
            if instance.is_running:
                self.runtime.cancel(instance)
            self.runtime.forget(instance)
        for definition_id in owned:
            del self.store.definitions[definition_id]
        for job_definition_id in [
            j.id for j in self.store.job_definitions.values() if j.process_definition_id in owned
        ]:
            del self.store.job_definitions[job_definition_id]
        del self.store.deployments[deployment_id]

    def find_definition(self, definition_id: str) -> ProcessDefinition:
        definition = self.store.definitions.get(definition_id)
        if definition is None:
            raise CamundaError(
                404,
                "InvalidRequestException",
                f"No matching definition with id {definition_id}",
                code=0,
            )
        return definition

    def definition_by_key(self, key: str) -> ProcessDefinition:
        definition = self.store.latest_definition(key)
        if definition is None:
            raise rest_error(
                404, f"No matching process definition with key: {key} and no tenant-id"
            )
        return definition


def _latest_versions(store: EngineStore) -> set[str]:
    latest: dict[tuple[str, str | None], ProcessDefinition] = {}
    for definition in store.definitions.values():
        slot = (definition.key, definition.tenant_id)
        if slot not in latest or latest[slot].version < definition.version:
            latest[slot] = definition
    return {d.id for d in latest.values()}


DEFINITION_SORT = {
    "category": lambda d: d.category or "",
    "key": lambda d: d.key,
    "id": lambda d: d.id,
    "name": lambda d: d.name or "",
    "version": lambda d: d.version,
    "deploymentId": lambda d: d.deployment_id,
    "tenantId": lambda d: d.tenant_id or "",
    "versionTag": lambda d: d.version_tag or "",
}


DefinitionTest = Callable[[ProcessDefinition], bool]
Field = Callable[[ProcessDefinition], Any]


def _equal(get: Field, value: Any) -> DefinitionTest:
    return lambda definition: get(definition) == value


def _member(get: Field, values: list[str]) -> DefinitionTest:
    return lambda definition: get(definition) in values


def _matching(get: Field, pattern: re.Pattern[str]) -> DefinitionTest:
    return lambda definition: bool(get(definition)) and bool(pattern.match(get(definition)))


def select_definitions(store: EngineStore, args: Mapping[str, str]) -> list[ProcessDefinition]:
    """``GET /process-definition``: filtered and sorted."""
    sorting = params.sorting(args, tuple(DEFINITION_SORT))
    tests: list[DefinitionTest] = []
    text = {
        "processDefinitionId": lambda d: d.id,
        "name": lambda d: d.name,
        "deploymentId": lambda d: d.deployment_id,
        "key": lambda d: d.key,
        "resourceName": lambda d: d.resource,
        "versionTag": lambda d: d.version_tag,
    }
    for name, get in text.items():
        value = args.get(name)
        if value is not None:
            tests.append(_equal(get, value))
    for name, get in {
        "processDefinitionIdIn": lambda d: d.id,
        "keysIn": lambda d: d.key,
        "tenantIdIn": lambda d: d.tenant_id,
    }.items():
        values = params.string_list(args, name)
        if values is not None:
            tests.append(_member(get, values))
    for name, get in {"nameLike": lambda d: d.name, "keyLike": lambda d: d.key}.items():
        value = args.get(name)
        if value is not None:
            tests.append(_matching(get, like(value)))
    version = params.integer(args, "version")
    if version is not None:
        tests.append(lambda d: d.version == version)
    if params.boolean(args, "latestVersion"):
        if any(args.get(n) is not None for n in ("processDefinitionId", "version", "deploymentId")):
            raise CamundaError(
                500,
                "ProcessEngineException",
                "Calling latest() can only be used in combination with key(String) and "
                "keyLike(String) or name(String) and nameLike(String)",
                code=0,
            )
        latest = _latest_versions(store)
        tests.append(lambda d: d.id in latest)
    if params.boolean(args, "suspended"):
        tests.append(lambda d: d.suspended)
    if params.boolean(args, "active"):
        tests.append(lambda d: not d.suspended)
    if params.boolean(args, "withoutTenantId"):
        tests.append(lambda d: d.tenant_id is None)
    selected = [d for d in store.definitions.values() if all(t(d) for t in tests)]
    return params.sort(selected, sorting, DEFINITION_SORT)
