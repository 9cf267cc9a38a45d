"""The contract cases of ``contracts/cases/*.yaml``, one test each, on whatever target is set.

Test ids are ``<endpoint file>/<case name>``, e.g. ``job-retries/retries-null``. At a documented
divergence the profile under test (``--engine-profile``) picks the side that conforms; an answer
that meets the other side instead fails as check ``divergence`` and is counted in the summary's
"divergences seen" column.
"""

from __future__ import annotations

import pytest

from .case_run import run_case
from .casebook import Case, load_cases
from .checks import BatchSettings, ContractViolation, check_answer, meets
from .client import EngineClient

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(
    case: Case,
    engine_client: EngineClient,
    engine_profile: str,
    engine_version: str | None,
    batch_settings: BatchSettings,
    request: pytest.FixtureRequest,
) -> None:
    # Straight onto the item, not through record_property, which warns under JUnit's xunit2.
    properties = request.node.user_properties
    properties.append(("endpoint", case.endpoint))
    outcome = run_case(engine_client, case)
    try:
        expected = case.expected(engine_profile, engine_version)
        check_answer(outcome.response, expected, batch_settings)
    except ContractViolation as broken:
        other = case.other_side(engine_profile)
        if other is not None and meets(outcome.response, other[1], batch_settings):
            properties.append(("divergence-seen", case.divergence))
            raise ContractViolation(
                "divergence",
                f"answered as the {other[0]} side of divergence {case.divergence}, "
                f"not as profile {engine_profile} expects: {broken}",
            ) from None
        raise
