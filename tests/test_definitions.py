"""bot.definitions against the contract, and the files that repeat its names against bot.definitions."""

from __future__ import annotations

import dataclasses
import string

import pytest
import yaml
from rasa.shared.core.domain import Domain

from bot.config import PROJECT_ROOT
from bot.definitions import (
    CLUSTER_CODES,
    DETECTION_KEY,
    FALLBACK_LANGUAGE,
    INTERESTS,
    LANGUAGES,
    LEAD_API_FIELDS,
    SECTORS,
    LanguageReport,
)
from bot.leads.clusters import load_clusters
from bot.leads.confirmation import load_confirmation_templates
from bot.leads.handoff import load_templates
from bot.leads.models import Lead
from bot.leads.store import Registration
from bot.registration_fields import (
    API_FIELDS,
    CONTACT_REQUEST_SLOTS,
    LABELLED,
    REGISTRATION_FIELDS,
    SHOWN_FIELDS,
    SLOTS,
)


def test_the_names_are_the_contracts():
    """Outside tools rely on these exact codes: changing one here is changing the contract."""
    assert LANGUAGES == ("en", "de", "fr", "it", "pl")
    assert FALLBACK_LANGUAGE == "en"
    assert SECTORS == ("medical_devices", "diagnostics", "digital_health", "biotech_pharma", "other")
    assert INTERESTS == ("partnering", "technology_centre", "events", "financing")
    assert CLUSTER_CODES == ("lyonbiopole", "biowin", "medsilesia", "biopmed", "bioregio_stern")
    assert LEAD_API_FIELDS == (
        "id", "created_at", "language", "company_name", "contact_name", "email", "country", "employees",
        "sector", "interests", "target_regions", "qualified", "qualification_reasons", "cluster",
        "cc_clusters", "routing_reason", "status", "conversation_id")


def test_the_domains_language_slot_takes_the_languages():
    slot = next(s for s in Domain.load(str(PROJECT_ROOT / "domain.yml")).slots if s.name == "language")
    assert [v for v in slot.values if v != "__other__"] == list(LANGUAGES)  # Rasa adds __other__


def variation_languages(variations: list[dict]) -> list[str]:
    languages = []
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            languages.append(FALLBACK_LANGUAGE)  # the unconditioned variation, what a missing text falls back to
            continue
        assert len(conditions) == 1 and conditions[0]["name"] == "language", variation
        assert conditions[0]["type"] == "slot"
        languages.append(conditions[0]["value"])
    return languages


def test_every_response_has_each_language_once(domain):
    for name, variations in domain["responses"].items():
        assert sorted(variation_languages(variations)) == sorted(LANGUAGES), name
        assert all((v.get("text") or "").strip() for v in variations), name


def test_the_language_detector_speaks_the_languages():
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    [detector] = [c for c in config["pipeline"] if c["name"].endswith(".LanguageDetector")]
    assert detector["languages"] == list(LANGUAGES)
    assert not set(detector["unsupported_languages"]) & set(LANGUAGES)


def test_each_language_has_its_training_data_held_out_set_and_stories():
    assert sorted(p.name for p in (PROJECT_ROOT / "nlu_data").iterdir() if p.is_dir()) == sorted(LANGUAGES)
    assert sorted(p.stem for p in (PROJECT_ROOT / "nlu_holdout").glob("*.yml")) == sorted(LANGUAGES)
    assert sorted(p.stem for p in (PROJECT_ROOT / "tests" / "stories").glob("test_*.yml")) == sorted(
        f"test_{code}" for code in LANGUAGES)


def test_the_cluster_file_describes_the_clusters():
    clusters = load_clusters()
    assert clusters.codes == CLUSTER_CODES
    assert set(clusters.language_defaults) == set(LANGUAGES)


def test_the_answer_meanings_cover_the_sectors_and_interests():
    meanings = yaml.safe_load((PROJECT_ROOT / "catalogue" / "answer_meanings.yml").read_text(encoding="utf-8"))
    assert set(meanings["sector"]) == set(SECTORS)
    assert set(meanings["interests"]) - {"all"} == set(INTERESTS)


# The registration form's fields (bot.registration_fields) against domain.yml, the catalogues, the lead
# and the contract.

def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_form_asks_the_tables_fields_in_its_order(domain):
    assert domain["forms"]["registration_form"]["required_slots"] == list(SLOTS)


def test_each_field_is_a_slot_of_its_type(domain):
    for field in REGISTRATION_FIELDS:
        assert domain["slots"][field.slot]["type"] == field.slot_type, field.slot


def test_the_summaries_and_the_answer_to_what_is_stored_show_the_shown_fields(domain):
    shown = {field.slot for field in SHOWN_FIELDS}
    asked_of_contact_requests = shown & set(CONTACT_REQUEST_SLOTS)
    dated = {"stored_on", "cluster_name"}
    expected = {
        "utter_registration_summary": shown,
        "utter_contact_summary": asked_of_contact_requests,
        "utter_my_data_registration": shown | dated,
        "utter_my_data_contact_request": asked_of_contact_requests | dated,
    }
    for name, wanted in expected.items():
        for variation in domain["responses"][name]:
            assert placeholders(variation["text"]) == wanted, (name, variation.get("condition"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_both_emails_show_the_shown_fields_only(language):
    shown = {field.slot for field in SHOWN_FIELDS}
    hidden = set(SLOTS) - shown
    for body in (load_templates()[language].body, load_confirmation_templates()[language].body):
        assert shown <= placeholders(body)
        assert not hidden & placeholders(body)


def test_every_label_the_table_names_exists_in_every_language(domain):
    staff_templates = load_templates()
    for field in REGISTRATION_FIELDS:
        assert (field.shown == LABELLED) == (field.labels is not None), field.slot
        if field.labels is None:
            continue
        for code in field.labels.codes:
            response = field.labels.response.format(code=code)
            assert sorted(variation_languages(domain["responses"][response])) == sorted(LANGUAGES), response
        for language in LANGUAGES:
            labels = getattr(staff_templates[language], field.labels.catalogue)
            assert set(labels) == set(field.labels.codes), (field.slot, language)
    assert {field.slot: field.labels.codes for field in REGISTRATION_FIELDS if field.labels} == {
        "sector": SECTORS, "interests": INTERESTS}


def test_a_lead_stores_each_detail_and_erases_what_is_personal():
    columns = set(Lead.__table__.columns.keys())
    details = {field.name for field in dataclasses.fields(Registration)}
    for field in REGISTRATION_FIELDS:
        assert field.lead_column is None or (field.lead_column in columns and field.slot in details), field.slot
        assert not field.erased or field.lead_column, field.slot  # only what is stored can be erased
        assert not field.names_the_sme or field.erased, field.slot  # what names the SME goes at erasure


def test_the_lead_api_gives_the_registration_fields_the_contracts_names():
    assert all(field.lead_column for field in API_FIELDS)
    assert [field.api_field for field in API_FIELDS] == [
        name for name in LEAD_API_FIELDS if name in SLOTS]  # consent is not in the API, nor event_id in the contract
    assert [field.api_field for field in API_FIELDS] == [
        "company_name", "contact_name", "email", "country", "employees", "sector", "interests", "target_regions"]


# The language report: Rasa carries it as a dict that trained models write and trackers store.

DETECTED = {"language": "de", "confidence": 0.93, "words": 5, "reliable": True, "supported": True,
            "hint": None, "requested": None}
SHORT = {"language": "fr", "confidence": 0.4, "words": 1, "reliable": False, "supported": True,
         "guess": "fr", "hint": "fr", "requested": None}


@pytest.mark.parametrize("stored", [DETECTED, SHORT], ids=["reliable", "short"])
def test_a_stored_report_reads_back_to_the_same_dict(stored):
    report = LanguageReport.of({DETECTION_KEY: stored})
    assert report.to_dict() == stored
    assert list(report.to_dict()) == list(stored)  # the keys in the order models have written them


def test_a_reliable_report_has_no_guess_key_and_a_short_one_has_all_eight():
    assert "guess" not in LanguageReport(language="de", reliable=True, supported=True).to_dict()
    assert set(LanguageReport(hint="de").to_dict()) == {
        "language", "confidence", "words", "reliable", "supported", "guess", "hint", "requested"}


def test_a_missing_or_partial_report_takes_defaults():
    assert LanguageReport.of({}) == LanguageReport.of(None) == LanguageReport()
    assert LanguageReport.from_dict({"hint": "pl"}) == LanguageReport(hint="pl")


@pytest.mark.parametrize(("fields", "unsupported"), [
    ({"language": "es", "reliable": True, "supported": False}, True),
    ({"language": "es", "reliable": False, "supported": False}, False),  # too short to be sure
    ({"language": "de", "reliable": True, "supported": True}, False),
    ({}, False),
])
def test_in_unsupported_language_needs_a_reliable_foreign_detection(fields, unsupported):
    assert LanguageReport(**fields).in_unsupported_language is unsupported
