"""Whether a registration is a qualified lead, with one checkable reason per criterion.

The criteria are the product contract's (one check below per criterion). Cluster
staff read the reasons to see why a lead was or was not handed to them, so each one
states the value it judged and whether it passed. No reason repeats the e-mail
address or any other personal detail: reasons outlive the erasure of those details.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from bot.definitions import INTERESTS, SECTORS
from bot.leads.email_address import is_valid_email

SME_EMPLOYEE_LIMIT = 250
"""EU SME definition (Recommendation 2003/361/EC): fewer than 250 persons employed."""

SECTOR_CODES, INTEREST_CODES = SECTORS, INTERESTS
"""Old names of `bot.definitions.SECTORS` and `INTERESTS`, still imported by bot/portal (to go once its
branches are merged)."""

HEAD_COUNT_ERASED = "head count erased"
AT_REQUEST = "at the data subject's request"


@dataclass(frozen=True)
class Verdict:
    """The outcome and, in criterion order, why."""

    qualified: bool
    reasons: list[str]


def qualify(
    *,
    employees: float | None,
    sector: str | None,
    email: str | None,
    consent: bool | None,
    interests: Iterable[str] | None,
) -> Verdict:
    """Judge a registration by the five contract criteria; missing values fail their criterion."""
    checks = [
        _check_employees(employees),
        _check_sector(sector),
        _check_email(email),
        _check_consent(consent),
        _check_interests(interests),
    ]
    return Verdict(qualified=all(passed for passed, _ in checks), reasons=[reason for _, reason in checks])


def erase_head_count(reasons: Iterable[str], employees: float | None, why: str = AT_REQUEST) -> list[str]:
    """The reasons with the head count replaced, for a lead whose details were erased (`why`).

    The verdict on size stays readable ("it was an SME"), the number does not.
    """
    passed, original = _check_employees(employees)
    outcome = "it counted as an SME" if passed else "it did not count as an SME"
    return [f"{HEAD_COUNT_ERASED} {why} ({outcome})" if reason == original else reason for reason in reasons]


def _check_employees(employees: float | None) -> tuple[bool, str]:
    if employees is None or isinstance(employees, bool):
        return False, "number of employees not given"
    if not isinstance(employees, (int, float)) or not math.isfinite(employees) or employees < 0:
        return False, f"{employees!r} is not a number of employees"
    count = _number(employees)
    noun = "employee" if employees == 1 else "employees"
    if employees < SME_EMPLOYEE_LIMIT:
        return True, f"{count} {noun}: an SME (fewer than {SME_EMPLOYEE_LIMIT})"
    return False, f"{count} {noun}: not an SME ({SME_EMPLOYEE_LIMIT} or more)"


def _check_sector(sector: str | None) -> tuple[bool, str]:
    if not sector:
        return False, "sector not given"
    if sector == "other":
        return False, "sector 'other': outside the medtech sectors"
    if sector not in SECTORS:
        return False, f"sector {sector!r} is not one of {', '.join(SECTORS)}"
    return True, f"sector {sector!r}: a medtech sector"


def _check_email(email: str | None) -> tuple[bool, str]:
    if not email:
        return False, "no e-mail address given"
    if not is_valid_email(email):
        return False, "the e-mail address is not valid"
    return True, "the e-mail address is valid"


def _check_consent(consent: bool | None) -> tuple[bool, str]:
    if consent is True:
        return True, "consent to store and hand on the details given"
    return False, "no consent to store and hand on the details"


def _check_interests(interests: Iterable[str] | None) -> tuple[bool, str]:
    given = list(interests or [])
    known = [interest for interest in given if interest in INTERESTS]
    unknown = [interest for interest in given if interest not in INTERESTS]
    ignored = f" (ignored unknown: {', '.join(map(str, unknown))})" if unknown else ""
    if not known:
        return False, f"no interest named{ignored}"
    return True, f"interests named: {', '.join(dict.fromkeys(known))}{ignored}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
