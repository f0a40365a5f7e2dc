"""bot.definitions against the contract, and the files that repeat its names against bot.definitions."""

from __future__ import annotations

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
    SECTORS,
    LanguageReport,
)
from bot.leads.clusters import load_clusters


def test_the_names_are_the_contracts():
    """Outside tools rely on these exact codes: changing one here is changing the contract."""
    assert LANGUAGES == ("en", "de", "fr", "it", "pl")
    assert FALLBACK_LANGUAGE == "en"
    assert SECTORS == ("medical_devices", "diagnostics", "digital_health", "biotech_pharma", "other")
    assert INTERESTS == ("partnering", "technology_centre", "events", "financing")
    assert CLUSTER_CODES == ("lyonbiopole", "biowin", "medsilesia", "biopmed", "bioregio_stern")


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
