"""The contract's five qualification criteria, each with a reason a person can check."""

from __future__ import annotations

from typing import Any

import pytest

from bot.leads.qualification import HEAD_COUNT_ERASED, erase_head_count, qualify

QUALIFYING: dict[str, Any] = {
    "employees": 40.0,
    "sector": "medical_devices",
    "email": "anna@medtech.de",
    "consent": True,
    "interests": ["partnering"],
}


def verdict_with(**changes: Any):
    return qualify(**{**QUALIFYING, **changes})


def test_a_complete_sme_registration_qualifies_with_five_passing_reasons() -> None:
    verdict = qualify(**QUALIFYING)
    assert verdict.qualified
    assert verdict.reasons == [
        "40 employees: an SME (fewer than 250)",
        "sector 'medical_devices': a medtech sector",
        "the e-mail address is valid",
        "consent to store and hand on the details given",
        "interests named: partnering",
    ]


@pytest.mark.parametrize(
    ("employees", "qualified", "reason"),
    [
        (249, True, "249 employees: an SME (fewer than 250)"),
        (249.0, True, "249 employees: an SME (fewer than 250)"),
        (250, False, "250 employees: not an SME (250 or more)"),
        (250.0, False, "250 employees: not an SME (250 or more)"),
        (5000, False, "5000 employees: not an SME (250 or more)"),
        (1, True, "1 employee: an SME (fewer than 250)"),
        (0, True, "0 employees: an SME (fewer than 250)"),
        (12.5, True, "12.5 employees: an SME (fewer than 250)"),
        (None, False, "number of employees not given"),
        (-3, False, "-3 is not a number of employees"),
        (float("nan"), False, "nan is not a number of employees"),
        ("40", False, "'40' is not a number of employees"),
    ],
)
def test_sme_size_boundary_is_fewer_than_250(employees: Any, qualified: bool, reason: str) -> None:
    verdict = verdict_with(employees=employees)
    assert verdict.qualified is qualified
    assert verdict.reasons[0] == reason


@pytest.mark.parametrize(
    ("sector", "qualified", "reason"),
    [
        ("diagnostics", True, "sector 'diagnostics': a medtech sector"),
        ("digital_health", True, "sector 'digital_health': a medtech sector"),
        ("biotech_pharma", True, "sector 'biotech_pharma': a medtech sector"),
        ("other", False, "sector 'other': outside the medtech sectors"),
        (None, False, "sector not given"),
        ("", False, "sector not given"),
        ("mining", False, "sector 'mining' is not one of"),
    ],
)
def test_sector_must_be_a_medtech_sector(sector: str | None, qualified: bool, reason: str) -> None:
    verdict = verdict_with(sector=sector)
    assert verdict.qualified is qualified
    assert verdict.reasons[1].startswith(reason)


@pytest.mark.parametrize(
    ("email", "reason"),
    [(None, "no e-mail address given"), ("", "no e-mail address given"), ("anna@medtech", "the e-mail address is not valid")],
)
def test_email_must_be_valid(email: str | None, reason: str) -> None:
    verdict = verdict_with(email=email)
    assert not verdict.qualified
    assert verdict.reasons[2] == reason


def test_no_reason_repeats_the_email_address() -> None:
    for email in ("anna@medtech.de", "anna@medtech"):
        assert not any("anna" in reason for reason in verdict_with(email=email).reasons)


@pytest.mark.parametrize("consent", [False, None])
def test_consent_must_be_given(consent: bool | None) -> None:
    verdict = verdict_with(consent=consent)
    assert not verdict.qualified
    assert verdict.reasons[3] == "no consent to store and hand on the details"


@pytest.mark.parametrize(
    ("interests", "qualified", "reason"),
    [
        (["events", "financing", "events"], True, "interests named: events, financing"),
        (["technology_centre", "golf"], True, "interests named: technology_centre (ignored unknown: golf)"),
        ([], False, "no interest named"),
        (None, False, "no interest named"),
        (["golf"], False, "no interest named (ignored unknown: golf)"),
    ],
)
def test_at_least_one_interest_is_named(interests: list[str] | None, qualified: bool, reason: str) -> None:
    verdict = verdict_with(interests=interests)
    assert verdict.qualified is qualified
    assert verdict.reasons[4] == reason


def test_nothing_given_fails_every_criterion_with_its_own_reason() -> None:
    verdict = qualify(employees=None, sector=None, email=None, consent=None, interests=None)
    assert not verdict.qualified
    assert verdict.reasons == [
        "number of employees not given",
        "sector not given",
        "no e-mail address given",
        "no consent to store and hand on the details",
        "no interest named",
    ]


def test_one_failing_criterion_is_enough_to_disqualify() -> None:
    verdict = verdict_with(employees=300, interests=["events"])
    assert not verdict.qualified
    assert sum("not an SME" in reason for reason in verdict.reasons) == 1


@pytest.mark.parametrize(("employees", "outcome"), [(40, "it counted as an SME"), (900, "it did not count as an SME")])
def test_erasing_the_head_count_keeps_the_outcome_but_not_the_number(employees: int, outcome: str) -> None:
    reasons = verdict_with(employees=employees).reasons
    erased = erase_head_count(reasons, employees)
    assert erased[0] == f"{HEAD_COUNT_ERASED} at the data subject's request ({outcome})"
    assert str(employees) not in erased[0]
    assert erased[1:] == reasons[1:]
