"""The store's ids, its grouped tables and its clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from mockserver.clock import MockClock
from mockserver.store import EngineStore, IndexedTable


def test_ids_are_random_uuids_and_the_same_seed_gives_the_same_ones() -> None:
    first, second, other = EngineStore(7), EngineStore(7), EngineStore(8)
    ids = [first.new_id() for _ in range(500)]
    assert ids == [second.new_id() for _ in range(500)]
    assert ids != [other.new_id() for _ in range(500)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


@dataclass
class Row:
    id: str
    owner: str


def test_groups_follow_every_write_in_table_order() -> None:
    table: IndexedTable[Row] = IndexedTable(owner=lambda row: row.owner)
    for number, owner in enumerate("abab"):
        table[f"r{number}"] = Row(f"r{number}", owner)
    assert [r.id for r in table.by("owner", "a")] == ["r0", "r2"]
    del table["r0"]
    assert table.pop("r2").id == "r2"
    assert table.pop("missing", None) is None
    assert table.by("owner", "a") == []
    table["r1"] = Row("r1", "c")  # replacing a row moves it to its new group
    assert [r.id for r in table.by("owner", "c")] == ["r1"]
    assert [r.id for r in table.by("owner", "b")] == ["r3"]


def test_writes_that_would_bypass_the_groups_are_refused() -> None:
    table: IndexedTable[Row] = IndexedTable(owner=lambda row: row.owner)
    with pytest.raises(TypeError):
        table.update({"r0": Row("r0", "a")})
    with pytest.raises(TypeError):
        table.setdefault("r0", Row("r0", "a"))
    assert table.by("owner", "a") == []


def test_the_clock_reads_whole_milliseconds_in_utc_and_moves_forward_only() -> None:
    clock = MockClock()
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert moment.microsecond % 1000 == 0  # the engine keeps milliseconds
    assert before <= moment <= datetime.now(UTC)
    assert clock.advance(90) - moment >= timedelta(seconds=90)
    with pytest.raises(ValueError):
        clock.advance(-1)
