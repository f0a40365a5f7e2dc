"""The registration form's fields, in the order it asks them, and where each answer goes.

One row per slot of `registration_form`: its type in domain.yml, the lead column it fills, its
name in the contract's lead API, whether an erasure wipes it, whether it names the SME, whether
a contact request asks it too, and how people read it. A shown field appears, as the placeholder
`{<slot>}`, in the summary the SME confirms (domain.yml `utter_registration_summary`, for a
contact request `utter_contact_summary`), in the answer to "what data do you have about me?"
(`utter_my_data_*`), in the clusters' hand-off e-mail (catalogue/notifications.yml) and in the
SME's confirmation e-mail (catalogue/confirmation.yml).

Adding a field takes a row here, its slot, question and summary lines in domain.yml, its e-mail
lines in catalogue/, a validator in actions/registration.py and a lead column with its
migration; tests/test_definitions.py checks those files against this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from bot.definitions import INTERESTS, SECTORS

Shown = Literal["text", "head_count", "country", "labelled", "clusters"]
TEXT: Shown = "text"
"""As the SME wrote it."""
HEAD_COUNT: Shown = "head_count"
"""A number of people."""
COUNTRY: Shown = "country"
"""An ISO 3166-1 alpha-2 code."""
LABELLED: Shown = "labelled"
"""Contract codes, each read by its label in the reader's language (`Labels`)."""
CLUSTERS: Shown = "clusters"
"""Cluster codes, read by the clusters' names (catalogue/clusters.yml)."""


@dataclass(frozen=True)
class Labels:
    """Where a coded field's values have their labels, in five languages."""

    codes: tuple[str, ...]
    response: str
    """The chat's label of a code: the domain.yml response named by this with the code for `{code}`."""
    catalogue: str
    """The e-mails' labels: the key in catalogue/notifications.yml that maps each code to its label."""


@dataclass(frozen=True)
class RegistrationField:
    """One question of the registration form and where its answer goes."""

    slot: str
    slot_type: Literal["bool", "text", "float", "list"]
    """The slot's type in domain.yml."""
    lead_column: str | None = None
    """The `Lead` attribute the answer fills; None for the form's own questions (consent is
    stored as the lead's ConsentRecord)."""
    api_field: str | None = None
    """Its name in the contract's lead API (bot.definitions.LEAD_API_FIELDS); fixed by the contract."""
    shown: Shown | None = None
    """How the summary, the SME's data and the e-mails write it; None: they do not show it."""
    labels: Labels | None = None
    """For a `LABELLED` field: its codes and their labels."""
    contact_request: bool = False
    """Asked of a contact request too (the form asks a contact request nothing else)."""
    erased: bool = False
    """Personal data that an erasure (the SME's request, retention) wipes from the lead; the other
    details stay, anonymous, for counts and routing."""
    names_the_sme: bool = False
    """Free text naming the SME: never counted or collected as a message to learn from, looked
    for in training data at erasure, what staff search leads by."""

    @property
    def many(self) -> bool:
        return self.slot_type == "list"

    def items(self, value: Any) -> list[Any]:
        """The values of a list, or the one value; none for a missing one."""
        return [item for item in (value or [] if self.many else [value]) if item not in (None, "")]


SECTOR_LABELS = Labels(SECTORS, response="utter_label_sector_{code}", catalogue="sectors")
INTEREST_LABELS = Labels(INTERESTS, response="utter_label_interest_{code}", catalogue="interests")

REGISTRATION_FIELDS: tuple[RegistrationField, ...] = (
    RegistrationField("consent", "bool", contact_request=True),
    RegistrationField("company_name", "text", lead_column="company_name", api_field="company_name", shown=TEXT,
                      contact_request=True, erased=True, names_the_sme=True),
    RegistrationField("contact_name", "text", lead_column="contact_name", api_field="contact_name", shown=TEXT,
                      contact_request=True, erased=True, names_the_sme=True),
    RegistrationField("email", "text", lead_column="email", api_field="email", shown=TEXT,
                      contact_request=True, erased=True, names_the_sme=True),
    RegistrationField("country", "text", lead_column="country", api_field="country", shown=COUNTRY,
                      contact_request=True),
    RegistrationField("employees", "float", lead_column="employees", api_field="employees", shown=HEAD_COUNT,
                      erased=True),
    RegistrationField("sector", "text", lead_column="sector", api_field="sector", shown=LABELLED,
                      labels=SECTOR_LABELS),
    RegistrationField("interests", "list", lead_column="interests", api_field="interests", shown=LABELLED,
                      labels=INTEREST_LABELS),
    RegistrationField("target_regions", "list", lead_column="target_regions", api_field="target_regions",
                      shown=CLUSTERS),
    RegistrationField("event_id", "text", lead_column="event_id"),
    RegistrationField("registration_confirmed", "bool", contact_request=True),
)
"""Every field, in the form's order (domain.yml `forms.registration_form.required_slots`)."""

SLOTS: tuple[str, ...] = tuple(field.slot for field in REGISTRATION_FIELDS)
STORED_FIELDS = tuple(field for field in REGISTRATION_FIELDS if field.lead_column)
"""The SME's details, which a lead stores: none is kept before consent."""
API_FIELDS = tuple(field for field in REGISTRATION_FIELDS if field.api_field)
SHOWN_FIELDS = tuple(field for field in REGISTRATION_FIELDS if field.shown)
ERASED_FIELDS = tuple(field for field in REGISTRATION_FIELDS if field.erased)
NAMING_FIELDS = tuple(field for field in REGISTRATION_FIELDS if field.names_the_sme)
NAMING_SLOTS: tuple[str, ...] = tuple(field.slot for field in NAMING_FIELDS)
CONTACT_REQUEST_SLOTS: tuple[str, ...] = tuple(field.slot for field in REGISTRATION_FIELDS if field.contact_request)


def written_fields(
    value_of: Callable[[RegistrationField], Any],
    word: Callable[[RegistrationField, Any], str | None],
    missing: str,
    fields: tuple[RegistrationField, ...] = SHOWN_FIELDS,
) -> dict[str, str]:
    """Each shown field as one line, by placeholder: the words of its values, comma-separated.

    Args:
        value_of: a field's value (a slot's, a lead column's).
        word: how the reader reads one value (a label, a cluster's name); None or "" leaves it out.
        missing: the line of a field without any value.
    """
    return {
        field.slot: ", ".join(filter(None, (word(field, item) for item in field.items(value_of(field))))) or missing
        for field in fields
    }
