"""A command's unit of work: what it changed in process instances is undone when it fails.

The engine runs each command (a start, a task completion, one job) in a database transaction;
when the model fails part-way (an expression, a listener, a gateway with no way out) it rolls
back, and the instance is as it was. The mock records each instance a command changes, the
first time it changes it: its tokens, variables and state, and its user tasks, external tasks,
jobs and incidents. ``Transaction.undo`` puts all of them back; an instance the command
created is removed with everything it made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .models import ActivityInstance, Incident, ProcessInstance, TypedValue
from .store import EngineStore, IndexedTable


@dataclass
class _Image:
    """An instance as it was when the command first changed it (None: the command made it)."""

    instance: ProcessInstance
    state: str
    end_time: datetime | None
    delete_reason: str | None
    tokens: list[ActivityInstance]
    variables: dict[str, TypedValue]
    rows: list[tuple[IndexedTable[Any], list[Any]]] = field(default_factory=list)
    incidents: list[tuple[Incident, datetime | None]] = field(default_factory=list)


class Transaction:
    """The instances one command changed, and how they were."""

    def __init__(self, store: EngineStore) -> None:
        self.store = store
        self._images: dict[str, _Image | None] = {}

    def _tables(self) -> tuple[IndexedTable[Any], ...]:
        store = self.store
        return (store.user_tasks, store.external_tasks, store.jobs)

    def created(self, instance: ProcessInstance) -> None:
        """The command made this instance: undoing removes it."""
        self._images.setdefault(instance.id, None)

    def touch(self, instance: ProcessInstance) -> None:
        """The command is about to change this instance (only its first change is recorded)."""
        if instance.id in self._images:
            return
        self._images[instance.id] = _Image(
            instance,
            instance.state,
            instance.end_time,
            instance.delete_reason,
            list(instance.activity_instances),
            dict(instance.variables),
            [(table, table.by("instance", instance.id)) for table in self._tables()],
            [(i, i.end_time) for i in self.store.incidents.by("instance", instance.id)],
        )

    def undo(self) -> None:
        """Put every changed instance back as it was; remove the ones the command made.

        Rows the command left alone keep their place in their tables (listings keep their
        order); only rows it added go, and rows it removed come back.
        """
        store = self.store
        for instance_id, image in reversed(list(self._images.items())):
            if image is None:
                for table in (*self._tables(), store.incidents):
                    for row in table.by("instance", instance_id):
                        del table[row.id]
                store.instances.pop(instance_id, None)
                continue
            instance = image.instance
            instance.state, instance.end_time = image.state, image.end_time
            instance.delete_reason = image.delete_reason
            instance.activity_instances = image.tokens
            instance.variables = image.variables
            for table, rows in image.rows:
                _restore_rows(table, instance_id, rows)
            for job in store.jobs_of_instance(instance_id):
                store.schedule(job)
            _restore_rows(store.incidents, instance_id, [i for i, _ in image.incidents])
            for incident, end_time in image.incidents:
                incident.end_time = end_time


def _restore_rows(table: IndexedTable[Any], instance_id: str, rows: list[Any]) -> None:
    kept = {row.id for row in rows}
    for row in table.by("instance", instance_id):
        if row.id not in kept:
            del table[row.id]
    for row in rows:
        if row.id not in table:
            table[row.id] = row
