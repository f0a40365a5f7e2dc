"""The e-mail check shared by the registration form and the qualification."""

from __future__ import annotations

import pytest

from bot.leads.email_address import is_valid_email


@pytest.mark.parametrize(
    "address",
    [
        "anna@medtech.de",
        "anna.kowalska@firma.com.pl",
        "first+leads@example.co.uk",
        "o'brien@clinic.ie",
        "info@xn--mller-kva.de",
        "info@müller.de",
        "kontakt@zdrowie.pl",
        "zoë@société.fr",
        "a@b.io",
        "x" * 64 + "@example.com",
    ],
)
def test_plausible_addresses_pass(address: str) -> None:
    assert is_valid_email(address)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "anna",
        "anna@",
        "@medtech.de",
        "anna@medtech",
        "anna@@medtech.de",
        "anna@med@tech.de",
        "anna kowalska@medtech.de",
        " anna@medtech.de",
        "anna@medtech.de ",
        "anna@medtech .de",
        ".anna@medtech.de",
        "anna.@medtech.de",
        "an..na@medtech.de",
        "anna@medtech..de",
        "anna@.medtech.de",
        "anna@medtech.de.",
        "anna@-medtech.de",
        "anna@medtech-.de",
        "anna@medtech.d",
        "anna@medtech.123",
        "anna@[192.168.0.1]",
        '"anna"@medtech.de',
        "anna(work)@medtech.de",
        "anna<a>@medtech.de",
        "x" * 65 + "@example.com",
        "anna@" + "a" * 64 + ".com",
        "anna@" + ".".join(["a" * 60] * 5) + ".com",
    ],
)
def test_implausible_texts_fail(text: str | None) -> None:
    assert not is_valid_email(text)
