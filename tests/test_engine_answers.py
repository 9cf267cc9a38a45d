"""The suite's reading of the engine (``contracts/engine_answers.py``), held to engine answers.

Each expectation is what Camunda 7.24.0 answered: these rules decide which 5xx a target may
give and which invalid requests it may accept, on the engine and on the mock alike.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from contracts.engine_answers import (
    OPERATIONS,
    container_refuses_path,
    documented_server_errors,
    engine_reads_parameter,
    is_answer,
    jackson_reads,
    jackson_reads_boolean,
    lenient_reads_date,
    sent_query,
    server_errors,
)


def test_a_server_error_row_carries_its_code() -> None:
    rows = {a["type"]: a for a in documented_server_errors(OPERATIONS["deleteBatch"])}
    concurrent = {
        "type": "OptimisticLockingException",
        "message": "ENGINE-03005 Execution of 'DELETE MessageEntity[0a1b]' failed. Entity was "
        "updated by another transaction concurrently.",
        "code": 1,
    }
    assert is_answer(concurrent, rows["OptimisticLockingException"])
    assert not is_answer({**concurrent, "code": 0}, rows["OptimisticLockingException"])


@pytest.mark.parametrize(
    ("op_id", "body"),
    [
        (
            "getBatches",
            {
                "type": "ProcessEnginePersistenceException",
                "message": "An exception occurred in the persistence layer. Please check the "
                "server logs for a detailed message and the entire exception stack trace.",
                "code": 0,
            },
        ),
        (
            "restartProcessInstanceAsyncByKey",
            {
                "type": "NullPointerException",
                "message": 'Cannot invoke "java.util.List.iterator()" because '
                '"this.instructions" is null',
                "code": None,
            },
        ),
        (
            "setExternalTaskRetriesAsyncOperation",
            {
                "type": "NullValueException",
                "message": "processInstanceIdIn contains null value",
                "code": 0,
            },
        ),
    ],
)
def test_engine_server_errors_are_documented(op_id: str, body: dict) -> None:
    assert any(is_answer(body, answer) for answer in server_errors("engine")[op_id])


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("true", True),
        ("-4760455", True),
        ("0 x", True),
        ("null", True),
        ("true$", True),
        ("true}", True),
        ("true\u00a0", True),
        ('"TRUE"', True),
        ('" null"', True),
        ('""', True),
        ('"true"x', True),
        ("TRUE", False),
        ("", False),
        ("1.5", False),
        ("01", False),
        ("1abc", False),
        ("truex", False),
        ("true\u200b", False),
        ('"1"', False),
        ('"\tfalse"', False),
        ("[true]", False),
    ],
)
def test_which_booleans_the_engine_reads(text: str, read: bool) -> None:
    assert jackson_reads_boolean(text) is read


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("2025-01-31T10:15:00.000+0100", True),
        ("2025-01-31T10:15:00.000+0100xyz", True),
        ("2025-13-45T99:99:99.9999-0130", True),
        ("-2025-1-3T1:1:1.1+2359", True),
        ("2E3-01-31T10:15:00.000+0000", True),
        ("2025-01-31T10:15:00.000GMT", True),
        ("2025-01-31T10:15:00.000GMT+1:30", True),
        ("", True),
        (" ", True),
        ("null", True),
        ('2025-01-31T10:15:00.000+0100"junk', True),
        ("2025-01-31T10:15:00.000+01:00", False),
        ("2025-01-31T10:15:00.000Z", False),
        ("2025-01-31T10:15:00.000GMT+1", False),
        ("2025-01-31T10:15:00.000+2400", False),
        ("2025-01-31", False),
        ('"2025-01-31T10:15:00.000+0100', False),
        ("2025-01-31T10:15:00.000+0100\n", False),
        ("\\x", False),
    ],
)
def test_which_dates_the_engine_reads(value: str, read: bool) -> None:
    assert lenient_reads_date(value) is read


@pytest.mark.parametrize(
    ("op_id", "name", "value", "read"),
    [
        ("getHistoricBatchesCount", "withoutTenantId", "-4760455", True),
        ("getHistoricBatchesCount", "withoutTenantId", "yes", False),
        ("getBatchStatistics", "startedBefore", "2025-01-31T10:15:00.000+0100 and more", True),
        ("getBatchStatistics", "startedBefore", "2025-01-31", False),
        ("getBatches", "firstResult", "", True),
        ("getBatches", "firstResult", "+1", True),
        ("getBatches", "firstResult", "\u0661", True),
        ("getBatches", "firstResult", " 1", False),
        ("getBatches", "maxResults", "2147483648", False),
        ("getBatches", "sortBy", "batchId", True),
        ("getBatches", "sortBy", "startTime", False),
        ("getBatches", "noSuchParameter", "anything", True),
        ("deleteBatch", "cascade", "maybe", True),
        ("deleteDeployment", "cascade", "1", True),
    ],
)
def test_which_query_values_the_engine_reads(op_id: str, name: str, value: str, read: bool) -> None:
    assert engine_reads_parameter(op_id, name, value) is read


def test_the_sent_query_is_read_as_the_engine_reads_it() -> None:
    response = SimpleNamespace(request=SimpleNamespace(url="http://x/batch?a=1&b=+2&a=3&c="))
    assert sent_query(response) == {"a": "1", "b": " 2", "c": ""}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "read"),
    [(5, True), (0, False), ("TRUE", True), ("False", False), ("", None), ("null", None)],
)
def test_jackson_reads_a_boolean_field(value: object, read: bool | None) -> None:
    schema = {"type": ["boolean", "null"]}
    assert jackson_reads(value, schema) is read


def test_jackson_reads_an_empty_date_as_null() -> None:
    assert jackson_reads("", {"$ref": "#/components/schemas/NullableDateString"}) is None


@pytest.mark.parametrize(
    ("parameters", "refused"),
    [({"id": "a\\b"}, True), ({"id": "a%5Cb"}, True), ({"id": "a%255Cb"}, False), (None, False)],
)
def test_paths_the_container_refuses(parameters: dict | None, refused: bool) -> None:
    assert container_refuses_path(parameters) is refused
