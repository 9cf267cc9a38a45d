"""Query parameters of the batch reads, read as the Camunda 7.24 engine reads them.

Every expectation here is an answer of the real engine (Camunda Run 7.24.0 on H2): JAX-RS
converts ``firstResult``/``maxResults`` first, the query DTO then sets the other parameters in
the order of a ``java.util.HashMap``, Jackson reads booleans as JSON and dates as JSON strings
in a lenient ``SimpleDateFormat``, and the database refuses a negative offset or limit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient

from mockserver.clock import parse_lenient_date
from mockserver.params import hash_map_order, java_string_hash, read_boolean_json
from tests.assertions import assert_error
from tests.conftest import BASE

PERSISTENCE = (
    "An exception occurred in the persistence layer. Please check the server logs for a "
    "detailed message and the entire exception stack trace."
)


@pytest.fixture
def batches(client: FlaskClient, deploy, start) -> dict[str, str]:
    """Three running batches, one of them suspended: name -> id."""
    instances = start(deploy("order.bpmn"), 3)
    created = {}
    for name in ("suspended", "first", "second"):
        answer = client.post(
            f"{BASE}/process-instance/suspended-async",
            json={"processInstanceIds": [i.id for i in instances]},
        )
        assert answer.status_code == 200, answer.get_json()
        created[name] = answer.get_json()["id"]
    suspended = client.put(
        f"{BASE}/batch/{created['suspended']}/suspended", json={"suspended": True}
    )
    assert suspended.status_code == 204
    return created


def listed(client: FlaskClient, query: str) -> list[str]:
    answer = client.get(f"{BASE}/batch?{query}")
    assert answer.status_code == 200, answer.get_json()
    return [b["id"] for b in answer.get_json()]


# -- booleans: Jackson reads the value as JSON ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("false", False),
        ("null", None),
        ("1", True),
        ("-4760455", True),
        ("99999999999999999999", True),
        ("1" + "0" * 999, True),  # 1000 digits, Jackson's limit
        ("-" + "1" * 1000, True),
        ("0", False),
        ("-0", False),
        (" \t\r\ntrue", True),
        ("0 \n", False),
        ("1 abc", True),  # only the first value is read
        ("true garbage", True),
        ("true,false", True),
        ("true}", True),
        ("true]", True),
        ("true:", True),
        ("true$", True),  # below "0": the token ends
        ("true\x01", True),
        ("true\u00a0", True),
        ("true\u2028", True),
        ('"true"', True),
        ('"TRUE"', True),
        ('"True"', True),
        ('"False"', False),
        ('" false "', False),
        ('"false\\t"', False),  # an escaped tab, trimmed
        ('"tr\\u0075e"', True),
        ('"true"x', True),  # what follows the string is not read
        ('""', None),
        ('" "', None),
        ('"null"', None),
        ('" null"', None),
    ],
)
def test_engine_reads_a_boolean(text: str, value: bool | None) -> None:
    assert read_boolean_json(text) is value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TRUE",
        "True",
        "truE",
        "yes",
        "tru",
        "truex",
        "true_",
        "true1",
        "trueé",
        "true\u200b",  # a format char is an identifier part in Java
        "true\u00ad",
        "true\u007f",
        "true\u0085",
        "true\u00a2",
        "true\u2040",
        "true\u0300",
        "nul",
        "nullx",
        "NULL",
        "1.5",
        "0.0",
        "1e3",
        "1E2",
        "-0.0",
        "01",
        "00",
        "-00",
        "0x1",
        "0}",
        "0]",
        "0:",
        "0-",
        "1,",
        "1abc",
        "0\x0b",
        "0\x0c",
        "\x0btrue",
        "\ufefftrue",
        "\u0661",  # a digit, but not JSON's
        "NaN",
        "1" + "0" * 1000,
        "-",
        "+1",
        "[true]",
        "{}",
        "'0'",
        "#true",
        "/*c*/true",
        '"fAlse"',
        '"NULL"',
        '"1"',
        '"true',
        '"tr\\xe"',
        '"\tfalse"',  # a raw control character in a JSON string
        '"false\x01"',
    ],
)
def test_engine_refuses_a_boolean(text: str) -> None:
    with pytest.raises(ValueError):
        read_boolean_json(text)


@pytest.mark.parametrize(
    ("value", "selected"),
    [
        ("true", ["suspended"]),
        ("1", ["suspended"]),
        ("-7", ["suspended"]),
        ("%22TRUE%22", ["suspended"]),
        ("0", ["first", "second"]),
        ("-0", ["first", "second"]),
        ("%22False%22", ["first", "second"]),
        ("null", ["suspended", "first", "second"]),
        ("%22%22", ["suspended", "first", "second"]),
    ],
)
def test_a_boolean_filter_reads_json(
    client: FlaskClient, batches: dict[str, str], value: str, selected: list[str]
) -> None:
    expected = sorted(batches[name] for name in selected)
    assert sorted(listed(client, f"suspended={value}")) == expected
    count = client.get(f"{BASE}/batch/count?suspended={value}").get_json()
    assert count == {"count": len(selected)}


def test_an_unreadable_boolean_names_the_text_sent(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/history/batch/count?withoutTenantId=TRUE")
    assert_error(
        response,
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'withoutTenantId' to value 'TRUE': "
        "Cannot convert value TRUE to java type java.lang.Boolean",
        None,
    )


# -- dates: the JSON string "<value>" in a lenient SimpleDateFormat ------------------------


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-01-31T10:15:00.000+0100", datetime(2025, 1, 31, 9, 15, tzinfo=UTC)),
        ("2025-01-31T10:15:00.000+0100xyz", datetime(2025, 1, 31, 9, 15, tzinfo=UTC)),
        ("2025-1-3T1:1:1.1+0100", datetime(2025, 1, 3, 0, 1, 1, 1000, tzinfo=UTC)),
        (
            "2025-13-45T99:99:99.9999-0130",  # every field rolls over
            datetime(2026, 2, 18, 4, 40, 48, 999000, tzinfo=timezone(-timedelta(minutes=90))),
        ),
        ("2025-01-31T10:15:00.-5+0000", datetime(2025, 1, 31, 10, 14, 59, 995000, tzinfo=UTC)),
        ("2025-01-31T10:15:-0.000+0000", datetime(2025, 1, 31, 10, 15, tzinfo=UTC)),
        ("2025- 01-31T10:15:00.000 +0100", datetime(2025, 1, 31, 9, 15, tzinfo=UTC)),
        ("2E3-01-31T10:15:00.000+0000", datetime(2000, 1, 31, 10, 15, tzinfo=UTC)),
        ("\u0662025-01-31T10:15:00.000+0000", datetime(2025, 1, 31, 10, 15, tzinfo=UTC)),
        ("2025-01-31T10:15:00.000+12345", datetime(2025, 1, 30, 21, 41, tzinfo=UTC)),
        ("2025-01-31T10:15:00.000+2359", datetime(2025, 1, 30, 10, 16, tzinfo=UTC)),
        ("2025-01-31T10:15:00.000GMT", datetime(2025, 1, 31, 10, 15, tzinfo=UTC)),
        ("2025-01-31T10:15:00.000gmt+1:30", datetime(2025, 1, 31, 8, 45, tzinfo=UTC)),
        ("9999999999-01-01T00:00:00.000+0000", datetime.max.replace(tzinfo=UTC)),
        ("-2025-01-31T10:15:00.000+0100", datetime.min.replace(tzinfo=UTC)),
    ],
)
def test_the_lenient_date_format_reads(text: str, moment: datetime) -> None:
    assert parse_lenient_date(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "2025-01-31T10:15:00.000+01:00",
        "2025-01-31T10:15:00.000Z",
        "2025-01-31T10:15:00.000GMT+1",
        "2025-01-31T10:15:00.000GMT-123:00",
        "2025-01-31T10:15:00+0100",
        "+2025-01-31T10:15:00.000+0100",
        "2025-01-31T10:15:00.000+2400",
        "2025-01-31T10:15:00.000+0060",
        "2025-01-31T10:15:00.000+1",
        "2025-01-31T10:15:00.000+01",
        "2025-01-31T10:15:00.000+\u0661100",  # the zone takes ASCII digits only
        "2025-01-31t10:15:00.000+0100",
        "2025-01-31T10:15:-.000+0100",
        "abc",
        "2025",
        "2025-01-31",
    ],
)
def test_the_lenient_date_format_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_lenient_date(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", 'Cannot convert value "abc" to java type java.util.Date'),
        ("a%22b", 'Cannot convert value "a"b" to java type java.util.Date'),
        ("%5Cx", 'Cannot convert value "\\x" to java type java.util.Date'),
        ("%01", 'Cannot convert value "\x01" to java type java.util.Date'),
        (
            "2025-01-31T10:15:00.000%2B0100%0A",
            'Cannot convert value "2025-01-31T10:15:00.000+0100\n" to java type java.util.Date',
        ),
        ("%22", 'Cannot convert value " to java type java.util.Date because of double quotes'),
        (
            "%22abc",
            'Cannot convert value "abc to java type java.util.Date because of double quotes',
        ),
    ],
)
def test_an_unreadable_date_is_a_400(client: FlaskClient, value: str, message: str) -> None:
    response = client.get(f"{BASE}/batch/statistics/count?startedBefore={value}")
    sent = response.request.args["startedBefore"]
    assert_error(
        response,
        400,
        "InvalidRequestException",
        f"Cannot set query parameter 'startedBefore' to value '{sent}': {message}",
        None,
    )


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("", 3),  # empty, blank or null: no filter
        ("%20", 3),
        ("null", 3),
        ("%5Cu006eull", 3),  # "null" with an escape Jackson decodes
        ("2000-01-01T00:00:00.000%2B0000%22junk", 3),  # what follows an inner quote is not read
        ("9999-01-01T00:00:00.000%2B0000", 0),
        ("9999-01-01T00:00:00.000%2B0000xyz", 0),  # nor what follows the date
        ("9998-13-01T00:00:00.000%2B0000", 0),  # month 13 of 9998 is January 9999
    ],
)
def test_a_date_filter_reads_leniently(
    client: FlaskClient, batches: dict[str, str], value: str, count: int
) -> None:
    response = client.get(f"{BASE}/batch/statistics/count?startedAfter={value}")
    assert response.get_json() == {"count": count}


# -- paging: JAX-RS Integer.valueOf, then the database ------------------------------------


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("maxResults=-1", 0),
        ("firstResult=-1", 0),
        ("firstResult=-5&maxResults=-1", 0),  # a -1 is answered before the database is asked
        ("firstResult=-1&maxResults=5", 0),
        ("firstResult=", 3),
        ("maxResults=", 3),
        ("maxResults=%2B1", 1),
        ("maxResults=%D9%A1", 1),  # Integer.valueOf reads digits of any script
        ("maxResults=%EF%BC%91", 1),
        ("firstResult=007", 0),
        ("maxResults=" + "0" * 5000 + "1", 1),  # leading zeros, however many
        ("firstResult=-0", 3),
        ("maxResults=2147483647", 3),
        ("firstResult=1&maxResults=2147483647", 2),
    ],
)
def test_paging_values_the_engine_reads(
    client: FlaskClient, batches: dict[str, str], query: str, count: int
) -> None:
    for path in ("batch", "batch/statistics", "history/batch"):
        answer = client.get(f"{BASE}/{path}?{query}")
        assert answer.status_code == 200, (path, answer.get_json())
        assert len(answer.get_json()) == count, path


@pytest.mark.parametrize(
    "query",
    [
        "maxResults=-2",
        "firstResult=-2",
        "firstResult=-361&maxResults=10",
        "maxResults=-2147483648",
        "firstResult=1&maxResults=-2",
    ],
)
def test_a_negative_page_other_than_minus_one_is_the_databases_500(
    client: FlaskClient, query: str
) -> None:
    for path in ("batch", "batch/statistics", "history/batch", "process-instance", "deployment"):
        response = client.get(f"{BASE}/{path}?{query}")
        assert_error(response, 500, "ProcessEnginePersistenceException", PERSISTENCE, 0)


@pytest.mark.parametrize(
    "query",
    [
        "maxResults=abc",
        "maxResults=1.5",
        "maxResults=1e2",
        "maxResults=1_0",
        "maxResults=%201",
        "maxResults=1%20",
        "maxResults=+1",  # a plus in a query is a space
        "maxResults=2147483648",
        "maxResults=-2147483649",
        "maxResults=%F0%9D%9F%8F",  # a digit outside the BMP is two UTF-16 units to Java
        "firstResult=abc&firstResult=1",  # the first value counts
    ],
)
def test_paging_values_jaxrs_refuses(client: FlaskClient, query: str) -> None:
    response = client.get(f"{BASE}/batch?{query}")
    assert_error(response, 404, "QueryParamException", "HTTP 404 Not Found", None)


def test_paging_is_converted_before_any_other_parameter(client: FlaskClient) -> None:
    for query in ("firstResult=abc&suspended=xyz", "maxResults=abc&sortBy=zzz"):
        response = client.get(f"{BASE}/batch/statistics?{query}")
        assert_error(response, 404, "QueryParamException", "HTTP 404 Not Found", None)
    response = client.get(f"{BASE}/batch?firstResult=-5&suspended=xyz")
    assert response.status_code == 400  # the 500 comes from the query, which never runs


def test_counts_ignore_paging(client: FlaskClient) -> None:
    for query in ("firstResult=abc", "maxResults=-2"):
        assert client.get(f"{BASE}/batch/count?{query}").get_json() == {"count": 0}


# -- which unreadable parameter the 400 names -------------------------------------------


@pytest.mark.parametrize(
    ("text", "java_hash"),
    [
        ("hello", 99162322),
        ("sortBy", -896594283),
        ("suspended", -1661628965),
        ("withoutTenantId", -1238070195),
        ("startedBefore", 534660960),
        ("é€𝄞", 16751501),  # a supplementary char counts as two UTF-16 units
    ],
)
def test_java_string_hash(text: str, java_hash: int) -> None:
    assert java_string_hash(text) == java_hash % 2**32


def test_hash_map_order_is_javas() -> None:
    names = ["startedBefore", "suspended", *(f"a{i}" for i in range(1, 12))]
    # java.util.HashMap.keySet() of these names, put in this order (13 of them: 32 buckets)
    assert hash_map_order(names) == [
        "a11", "a10", "suspended", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "a8", "a9", "startedBefore",
    ]  # fmt: skip
    assert hash_map_order(names[:12]) == [
        "a1", "a2", "a10", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "startedBefore", "suspended"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("suspended=abc&sortBy=foo", "sortBy"),
        ("sortBy=foo&suspended=abc", "sortBy"),
        ("sortOrder=zz&sortBy=foo", "sortOrder"),
        ("withoutTenantId=x&suspended=y", "withoutTenantId"),
        ("suspended=y&withoutTenantId=x", "withoutTenantId"),
        ("startedBefore=abc&withFailures=x", "withFailures"),
        ("sortOrder=asc&suspended=q", "suspended"),  # the sorting pair is checked last
        # the same bucket of 16: the order sent decides
        ("suspended=x&startedBefore=abc", "suspended"),
        ("startedBefore=abc&suspended=x", "startedBefore"),
        # 13 names: 32 buckets, where suspended comes first
        ("startedBefore=abc&suspended=x&" + "&".join(f"a{i}=1" for i in range(1, 12)), "suspended"),
        (
            "startedBefore=abc&suspended=x&" + "&".join(f"a{i}=1" for i in range(1, 11)),
            "startedBefore",
        ),
    ],
)
def test_the_400_names_the_first_parameter_in_hash_map_order(
    client: FlaskClient, query: str, named: str
) -> None:
    response = client.get(f"{BASE}/batch/statistics?{query}")
    assert response.status_code == 400
    assert response.get_json()["message"].startswith(f"Cannot set query parameter '{named}'")


# -- flags no value of which is refused -----------------------------------------------------


def test_deleting_a_batch_reads_cascade_with_boolean_value_of(
    client: FlaskClient, batches: dict[str, str]
) -> None:
    for name, cascade, history in (("first", "TRUE", 404), ("second", "yes", 200)):
        assert client.delete(f"{BASE}/batch/{batches[name]}?cascade={cascade}").status_code == 204
        assert client.get(f"{BASE}/history/batch/{batches[name]}").status_code == history


def test_deleting_a_deployment_cascades_only_for_true_exactly(
    client: FlaskClient, deploy, start
) -> None:
    definition = deploy("order.bpmn")
    start(definition)
    refused = client.delete(f"{BASE}/deployment/{definition.deployment_id}?cascade=TRUE")
    assert refused.status_code == 500  # not cascading: the running instance stops it
    deleted = client.delete(f"{BASE}/deployment/{definition.deployment_id}?cascade=true")
    assert deleted.status_code == 204


# -- the runtime reads' GET parameters go through the same converters ----------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "startedBefore=abc",
            "Cannot set query parameter 'startedBefore' to value 'abc': "
            'Cannot convert value "abc" to java type java.util.Date',
        ),
        (
            "startedBefore=7816-42-65T34:32:59.640-8437&internallyTerminated=-38",
            "Cannot set query parameter 'startedBefore' to value "
            "'7816-42-65T34:32:59.640-8437': Cannot convert value "
            '"7816-42-65T34:32:59.640-8437" to java type java.util.Date',
        ),
        (
            "startedBefore=abc&internallyTerminated=x",
            "Cannot set query parameter 'internallyTerminated' to value 'x': "
            "Cannot convert value x to java type java.lang.Boolean",
        ),
    ],
)
def test_historic_instance_reads_convert_as_the_engine(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get(f"{BASE}/history/process-instance/count?{query}")
    assert_error(response, 400, "InvalidRequestException", message, None)


def test_historic_instance_dates_read_leniently(client: FlaskClient, deploy, start) -> None:
    start(deploy("order.bpmn"), 2)
    counts = {
        value: client.get(
            f"{BASE}/history/process-instance/count?startedBefore={value}"
        ).get_json()["count"]
        for value in ("", "null", "9999-01-01T00:00:00.000%2B0000xyz", "2000-1-1T0:0:0.0%2B0000")
    }
    assert counts == {"": 2, "null": 2, "9999-01-01T00:00:00.000%2B0000xyz": 2,
                      "2000-1-1T0:0:0.0%2B0000": 0}  # fmt: skip
