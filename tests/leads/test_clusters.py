"""The shipped cluster table, and the errors a malformed cluster file gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from bot.definitions import CLUSTER_CODES
from bot.definitions import LANGUAGES as LANGUAGE_CODES
from bot.leads.clusters import DEFAULT_PATH, ClusterFileError, load_clusters

CONTRACT_TABLE = {
    "lyonbiopole": ("Lyonbiopole", "Auvergne-Rhône-Alpes", "FR", "fr"),
    "biowin": ("BioWin", "Wallonia", "BE", "fr"),
    "medsilesia": ("GAPR-Medsilesia", "Upper Silesia", "PL", "pl"),
    "biopmed": ("BioPmed", "Piedmont", "IT", "it"),
    "bioregio_stern": ("BioRegio STERN", "Baden-Württemberg", "DE", "de"),
}


def shipped_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_shipped_file_describes_the_contract_clusters() -> None:
    table = load_clusters()
    assert table.codes == CLUSTER_CODES
    for code, (name, region, country, staff_language) in CONTRACT_TABLE.items():
        cluster = table[code]
        assert (cluster.name, cluster.region, cluster.country, cluster.staff_language) == (
            name, region, country, staff_language,
        )
        assert table.by_country(country) is cluster
        assert table.by_country(country.lower()) is cluster


def test_shipped_contact_addresses_are_marked_as_examples() -> None:
    for cluster in load_clusters():
        assert cluster.contact_email.endswith(".example"), cluster.contact_email
    assert "operators replace" in DEFAULT_PATH.read_text(encoding="utf-8").lower()


def test_every_reply_time_is_written_in_all_five_languages() -> None:
    for cluster in load_clusters():
        assert set(cluster.reply_time) == set(LANGUAGE_CODES)
        texts = [cluster.reply_time_in(language) for language in LANGUAGE_CODES]
        assert all(text.strip() for text in texts)
        assert len(set(texts)) == len(texts), f"{cluster.code}: a reply time left untranslated"


def test_language_defaults_match_the_contract() -> None:
    table = load_clusters()
    owners = {language: table.for_language(language).code for language in LANGUAGE_CODES}
    assert owners == {
        "fr": "lyonbiopole", "de": "bioregio_stern", "it": "biopmed", "pl": "medsilesia", "en": "bioregio_stern",
    }
    with pytest.raises(KeyError):
        table.for_language("es")


def test_unknown_countries_have_no_cluster() -> None:
    table = load_clusters()
    assert table.by_country("ES") is None
    assert table.by_country(None) is None
    assert table.by_country("") is None


def test_the_loader_is_cached() -> None:
    assert load_clusters() is load_clusters(DEFAULT_PATH)


def _without(path: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _setting(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _add_cluster(data: dict[str, Any]) -> None:
    data["clusters"]["medvalley"] = copy.deepcopy(data["clusters"]["biowin"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_add_cluster, "unknown cluster code medvalley"),
        (_without(["clusters", "biopmed"]), "missing cluster code biopmed"),
        (_without(["clusters", "biowin", "reply_time", "pl"]), "clusters.biowin.reply_time: missing language pl"),
        (_setting(["clusters", "biowin", "reply_time", "es"], "dentro de dos días"), "unknown language es"),
        (_setting(["clusters", "biowin", "reply_time", "it"], "  "), "clusters.biowin.reply_time.it: missing or empty"),
        (_setting(["clusters", "biowin", "reply_time"], "two days"), "clusters.biowin.reply_time: expected a mapping"),
        (_without(["clusters", "medsilesia", "contact_email"]), "clusters.medsilesia.contact_email: missing or empty"),
        (_setting(["clusters", "medsilesia", "contact_email"], "medsilesia"), "is not an e-mail address"),
        (_setting(["clusters", "biopmed", "country"], "Italy"), "clusters.biopmed.country: 'Italy' is not an ISO"),
        (_setting(["clusters", "biopmed", "country"], "FR"), "two clusters share a country"),
        (_setting(["clusters", "biopmed", "staff_language"], "es"), "clusters.biopmed.staff_language: 'es'"),
        (_setting(["language_default_clusters", "en"], "medvalley"), "unknown cluster code 'medvalley'"),
        (_without(["language_default_clusters", "it"]), "language_default_clusters': missing language it"),
        (_without(["language_default_clusters"]), "'language_default_clusters': expected a mapping"),
    ],
)
def test_a_malformed_file_names_its_problem(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = shipped_data()
    change(data)
    path = tmp_path / "clusters.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ClusterFileError) as raised:
        load_clusters(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "clusters: [unclosed\n"])
def test_a_file_that_is_no_cluster_mapping_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "clusters.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClusterFileError, match="clusters.yml"):
        load_clusters(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClusterFileError, match="cannot read"):
        load_clusters(tmp_path / "absent.yml")
