"""Routing rules of the product contract: country, then first target region, then language."""

from __future__ import annotations

import pytest

from bot.leads.clusters import ClusterTable, load_clusters
from bot.leads.routing import route


@pytest.fixture(scope="module")
def clusters() -> ClusterTable:
    return load_clusters()


@pytest.mark.parametrize(
    ("country", "owner"),
    [("FR", "lyonbiopole"), ("BE", "biowin"), ("PL", "medsilesia"), ("IT", "biopmed"), ("DE", "bioregio_stern"),
     ("de", "bioregio_stern"), (" it ", "biopmed")],
)
def test_a_cluster_country_owns_the_lead(clusters: ClusterTable, country: str, owner: str) -> None:
    routed = route(country=country, target_regions=["biowin", "medsilesia"], language="en", clusters=clusters)
    assert routed.cluster == owner
    assert country.strip().upper() in routed.reason
    assert owner in routed.reason


def test_country_outranks_target_regions_and_language(clusters: ClusterTable) -> None:
    routed = route(country="IT", target_regions=["lyonbiopole"], language="pl", clusters=clusters)
    assert routed.cluster == "biopmed"
    assert routed.cc_clusters == ["lyonbiopole"]
    assert routed.reason.startswith("The SME is located in IT, the country of BioPmed (biopmed).")


def test_a_country_elsewhere_goes_to_the_first_target_region(clusters: ClusterTable) -> None:
    routed = route(country="ES", target_regions=["medsilesia", "biowin"], language="fr", clusters=clusters)
    assert routed.cluster == "medsilesia"
    assert routed.cc_clusters == ["biowin"]
    assert routed.reason == (
        "The SME is located in ES, outside the five cluster countries; the first target region is medsilesia."
        " Copied to the other target regions: biowin."
    )


def test_no_country_goes_to_the_first_target_region(clusters: ClusterTable) -> None:
    routed = route(country=None, target_regions=["biopmed"], language="de", clusters=clusters)
    assert routed.cluster == "biopmed"
    assert routed.cc_clusters == []
    assert routed.reason == "No country was given; the first target region is biopmed."


@pytest.mark.parametrize(
    ("language", "owner"),
    [("fr", "lyonbiopole"), ("de", "bioregio_stern"), ("it", "biopmed"), ("pl", "medsilesia"), ("en", "bioregio_stern")],
)
def test_without_country_or_targets_the_language_decides(clusters: ClusterTable, language: str, owner: str) -> None:
    for country in (None, "", "ES"):
        routed = route(country=country, target_regions=[], language=language, clusters=clusters)
        assert routed.cluster == owner
        assert routed.cc_clusters == []
        assert f"the conversation language {language!r} goes to {owner}" in routed.reason


def test_english_is_named_as_the_configured_default(clusters: ClusterTable) -> None:
    routed = route(country=None, target_regions=None, language="en", clusters=clusters)
    assert routed.reason == (
        "No country was given and no target region; the conversation language 'en' goes to"
        " bioregio_stern (the configured default for English)."
    )


def test_a_language_without_default_falls_back_to_english(clusters: ClusterTable) -> None:
    routed = route(country=None, target_regions=[], language="es", clusters=clusters)
    assert routed.cluster == clusters.for_language("en").code
    assert "'es' has no default cluster" in routed.reason


def test_copies_are_deduplicated_in_order_without_the_owner(clusters: ClusterTable) -> None:
    routed = route(
        country="FR",
        target_regions=["biopmed", "lyonbiopole", "biowin", "biopmed", "medsilesia", "biowin"],
        language="en",
        clusters=clusters,
    )
    assert routed.cluster == "lyonbiopole"
    assert routed.cc_clusters == ["biopmed", "biowin", "medsilesia"]
    assert routed.reason.endswith("Copied to the other target regions: biopmed, biowin, medsilesia.")


def test_the_first_target_owner_is_not_copied_again(clusters: ClusterTable) -> None:
    routed = route(country="US", target_regions=["biowin", "biowin", "biopmed"], language="en", clusters=clusters)
    assert (routed.cluster, routed.cc_clusters) == ("biowin", ["biopmed"])


def test_unknown_region_codes_are_ignored_and_named(clusters: ClusterTable) -> None:
    routed = route(country=None, target_regions=["atlantis", "biowin"], language="it", clusters=clusters)
    assert routed.cluster == "biowin"
    assert routed.cc_clusters == []
    assert routed.reason.endswith("Ignored unknown region codes: atlantis.")
