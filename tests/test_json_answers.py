"""How the mock writes JSON: the engine's field order, compact, ASCII-escaped, one newline."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.assertions import BATCH_FIELDS
from tests.conftest import BASE


def test_a_batch_lists_its_fields_in_the_engines_order(client: FlaskClient) -> None:
    response = client.post(
        f"{BASE}/process-instance/suspended-async",
        json={"processInstanceIds": ["unknown"], "suspended": True},
    )
    assert response.status_code == 200
    assert tuple(json.loads(response.get_data())) == BATCH_FIELDS  # dicts keep the text's order


def test_answers_are_compact_ascii_json_with_a_final_newline(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/batch/b\u00e4tch")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert text == json.dumps(json.loads(text), separators=(",", ":")) + "\n"
    assert "\\u00e4" in text
