"""What the model runs on its way: service-task delegates, listeners and flow conditions.

An engine with no beans and none of the user's classes: a ``camunda:class`` cannot be loaded,
a delegate expression never resolves to a delegate, and an expression sees only ``execution``,
``task`` and the process variables (see ``expressions``). Every failure raises
``EngineFailure`` with the engine's message, for the caller to undo the step.
"""

from __future__ import annotations

from functools import lru_cache

from .expressions import ExecutionBean, Expression, Scope, TaskBean, compile_expression
from .models import (
    CLASS,
    DELEGATE_EXPRESSION,
    Activity,
    Delegate,
    EngineFailure,
    Listener,
    ProcessInstance,
    SequenceFlow,
    UserTask,
)
from .store import EngineStore

# The engine compiles each expression once, at deployment; the mock keeps the texts.
compiled = lru_cache(maxsize=4096)(compile_expression)

_EXECUTION_LISTENER = "interface org.camunda.bpm.engine.delegate.ExecutionListener"
_ACTIVITY_BEHAVIOR = "interface org.camunda.bpm.engine.impl.pvm.delegate.ActivityBehavior"
_JAVA_DELEGATE = "interface org.camunda.bpm.engine.delegate.JavaDelegate"
_TASK_LISTENER = "interface org.camunda.bpm.engine.delegate.TaskListener"


def _class_failure(name: str) -> EngineFailure:
    """``camunda:class``: no class of the user's is on the engine's class path."""
    return EngineFailure(
        f"ENGINE-09008 Exception while instantiating class '{name}': ENGINE-09017 Cannot load "
        f"class '{name}': {name}"
    )


def _not_a_delegate(text: str, interface: str) -> EngineFailure:
    """A delegate expression's value: a variable or null is never a delegate."""
    return EngineFailure(
        f"ENGINE-02033 Delegate Expression '{text}' did neither resolve to an implementation "
        f"of '{interface}' nor '{_JAVA_DELEGATE}'."
    )


class Delegation:
    """Runs delegates, listeners and conditions against one store's instances."""

    def __init__(self, store: EngineStore) -> None:
        self.store = store

    def _scope(
        self,
        instance: ProcessInstance,
        activity_id: str | None,
        token_id: str | None = None,
        event: str | None = None,
    ) -> Scope:
        execution = ExecutionBean(instance, activity_id, token_id, event)
        return Scope(execution, self.store.clock.now())

    def service_task(self, instance: ProcessInstance, activity: Activity, token_id: str) -> None:
        """Run a service or send task's delegate (external tasks have none)."""
        delegate = activity.delegate
        if delegate is None:
            return
        if delegate.kind == CLASS:
            raise _class_failure(delegate.value)
        scope = self._scope(instance, activity.id, token_id)
        expression = compiled(delegate.value)
        if delegate.kind == DELEGATE_EXPRESSION:
            expression.value(scope)
            raise _not_a_delegate(delegate.value, _ACTIVITY_BEHAVIOR)
        if activity.result_variable is None:
            expression.value(scope)
        else:
            name = activity.result_variable
            instance.variables[name] = expression.stored(scope, name)

    def execution_listeners(
        self,
        instance: ProcessInstance,
        listeners: tuple[Listener, ...],
        event: str,
        activity_id: str | None,
        token_id: str | None = None,
    ) -> None:
        """Notify the execution listeners of an event, in document order."""
        for listener in listeners:
            if listener.event == event:
                scope = self._scope(instance, activity_id, token_id, event)
                self._notify(listener.delegate, scope, _EXECUTION_LISTENER)

    def task_listeners(self, task: UserTask, activity: Activity, event: str) -> None:
        """Notify a user task's listeners; the engine wraps what they throw (ENGINE-03051)."""
        instance = self.store.instances[task.process_instance_id]
        for listener in activity.task_listeners:
            if listener.event != event:
                continue
            scope = self._scope(instance, activity.id, task.activity_instance_id)
            scope.task = TaskBean(task, scope.execution, event)
            try:
                self._notify(listener.delegate, scope, None, in_task=True)
            except EngineFailure as failure:
                raise EngineFailure(
                    "ENGINE-03051 There was an exception while invoking the TaskListener. "
                    f"Message: '{failure}'"
                ) from None

    @staticmethod
    def _notify(
        delegate: Delegate, scope: Scope, interface: str | None, in_task: bool = False
    ) -> None:
        if delegate.kind == CLASS:
            raise _class_failure(delegate.value)
        expression: Expression = compiled(delegate.value, in_task)
        expression.value(scope)
        if delegate.kind != DELEGATE_EXPRESSION:
            return
        if interface is None:  # a task listener's own wording
            raise EngineFailure(
                f"Delegate expression {delegate.value} did not resolve to an implementation of "
                f"{_TASK_LISTENER}"
            )
        raise _not_a_delegate(delegate.value, interface)

    def flows_to_take(
        self, instance: ProcessInstance, activity: Activity, token_id: str
    ) -> list[SequenceFlow]:
        """The outgoing flows a token takes when it leaves an activity.

        An exclusive gateway takes the first flow (document order) without a condition or
        whose condition holds, else its default flow. Any other activity but a parallel
        gateway takes every such flow, and its default flow only when none holds. Either way,
        no flow to take is the engine's failure.
        """
        outgoing = instance.definition.outgoing(activity.id)
        if activity.kind == "parallelGateway" or not outgoing:
            return outgoing
        scope = self._scope(instance, activity.id, token_id)
        exclusive = activity.kind == "exclusiveGateway"
        taken: list[SequenceFlow] = []
        for flow in outgoing:
            if flow.id == activity.default_flow:
                continue
            if flow.condition is None or compiled(flow.condition).condition(scope):
                taken.append(flow)
                if exclusive:
                    break
        if not taken:
            taken = [flow for flow in outgoing if flow.id == activity.default_flow]
        if taken:
            return taken
        if exclusive:
            raise EngineFailure(
                f"ENGINE-02004 No outgoing sequence flow for the element with id "
                f"'{activity.id}' could be selected for continuing the process."
            )
        raise EngineFailure(
            f"ENGINE-02006 No conditional sequence flow leaving the Flow Node '{activity.id}' "
            "could be selected for continuing the process."
        )
