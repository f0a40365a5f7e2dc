"""The cluster partners as data (`catalogue/clusters.yml`), checked once when loaded.

Routing, hand-off and the replies to SMEs all read the same table, so a typo in the
file must stop the assistant at start-up rather than misroute a lead later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import yaml

from bot.config import PROJECT_ROOT
from bot.definitions import CLUSTER_CODES, LANGUAGES

LANGUAGE_CODES = LANGUAGES
"""Old name of `bot.definitions.LANGUAGES`, still imported by bot/portal (to go once its branches are merged)."""

DEFAULT_PATH = PROJECT_ROOT / "catalogue" / "clusters.yml"

_REQUIRED_TEXT_FIELDS = ("name", "region", "country", "staff_language", "contact_email")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ClusterFileError(ValueError):
    """The cluster file does not describe the five contract clusters completely."""


@dataclass(frozen=True)
class Cluster:
    """One cluster partner: where it is, whom to notify, what to promise the SME."""

    code: str
    name: str
    region: str
    country: str
    staff_language: str
    contact_email: str
    reply_time: Mapping[str, str] = field(hash=False)

    def reply_time_in(self, language: str) -> str:
        """The promised reply time, phrased to follow "... will contact you"."""
        return self.reply_time[language]


@dataclass(frozen=True)
class ClusterTable:
    """All clusters, looked up by code, by country, or by conversation language."""

    by_code: Mapping[str, Cluster] = field(hash=False)
    language_defaults: Mapping[str, str] = field(hash=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.by_code)

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.by_code.values())

    def __getitem__(self, code: str) -> Cluster:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def by_country(self, country: str | None) -> Cluster | None:
        """The cluster located in `country` (ISO 3166-1 alpha-2, any case), if any."""
        if not country:
            return None
        wanted = country.strip().upper()
        return next((cluster for cluster in self if cluster.country == wanted), None)

    def for_language(self, language: str) -> Cluster:
        """The cluster that owns leads known only by their conversation language.

        Raises:
            KeyError: the language has no default cluster (it is not one of the five).
        """
        return self.by_code[self.language_defaults[language]]


def load_clusters(path: Path | str = DEFAULT_PATH) -> ClusterTable:
    """Read and check the cluster file; cached, since it changes only with a restart.

    Raises:
        ClusterFileError: the file is missing, not YAML, or incomplete; the message says where.
    """
    return _load_clusters_cached(Path(path).resolve())


@lru_cache(maxsize=8)
def _load_clusters_cached(path: Path) -> ClusterTable:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ClusterFileError(f"{path}: cannot read the cluster file: {error}") from error
    return parse_clusters(data, source=str(path))


def parse_clusters(data: Any, source: str = "cluster file") -> ClusterTable:
    """Build the table from the file's parsed YAML, naming the first problem found."""
    if not isinstance(data, dict):
        raise ClusterFileError(f"{source}: expected a mapping with 'clusters' and 'language_default_clusters'")
    entries = _mapping(data.get("clusters"), f"{source}: 'clusters'")
    _same_keys(entries, CLUSTER_CODES, f"{source}: 'clusters'", "cluster code")
    clusters = {code: _cluster(code, entries[code], source) for code in CLUSTER_CODES}

    countries = [cluster.country for cluster in clusters.values()]
    if len(set(countries)) != len(countries):
        raise ClusterFileError(f"{source}: two clusters share a country: {', '.join(sorted(countries))}")

    defaults = _mapping(data.get("language_default_clusters"), f"{source}: 'language_default_clusters'")
    _same_keys(defaults, LANGUAGES, f"{source}: 'language_default_clusters'", "language")
    for language, code in defaults.items():
        if code not in clusters:
            raise ClusterFileError(
                f"{source}: language_default_clusters.{language}: unknown cluster code {code!r}"
                f" (expected one of {', '.join(CLUSTER_CODES)})"
            )
    return ClusterTable(
        by_code=MappingProxyType(clusters),
        language_defaults=MappingProxyType({language: defaults[language] for language in LANGUAGES}),
    )


def _cluster(code: str, entry: Any, source: str) -> Cluster:
    where = f"{source}: clusters.{code}"
    entry = _mapping(entry, where)
    values: dict[str, str] = {}
    for name in _REQUIRED_TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ClusterFileError(f"{where}.{name}: missing or empty")
        values[name] = value.strip()
    if not _COUNTRY.match(values["country"]):
        raise ClusterFileError(f"{where}.country: {values['country']!r} is not an ISO 3166-1 alpha-2 code like 'FR'")
    if values["staff_language"] not in LANGUAGES:
        raise ClusterFileError(
            f"{where}.staff_language: {values['staff_language']!r} is not one of {', '.join(LANGUAGES)}"
        )
    if "@" not in values["contact_email"]:
        raise ClusterFileError(f"{where}.contact_email: {values['contact_email']!r} is not an e-mail address")

    reply_time = _mapping(entry.get("reply_time"), f"{where}.reply_time")
    _same_keys(reply_time, LANGUAGES, f"{where}.reply_time", "language")
    for language, text in reply_time.items():
        if not isinstance(text, str) or not text.strip():
            raise ClusterFileError(f"{where}.reply_time.{language}: missing or empty")
    return Cluster(
        code=code,
        reply_time=MappingProxyType({language: reply_time[language].strip() for language in LANGUAGES}),
        **values,
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ClusterFileError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _same_keys(mapping: dict[str, Any], expected: tuple[str, ...], where: str, what: str) -> None:
    unknown = [str(key) for key in mapping if key not in expected]
    if unknown:
        raise ClusterFileError(f"{where}: unknown {what} {', '.join(unknown)} (expected {', '.join(expected)})")
    missing = [key for key in expected if key not in mapping]
    if missing:
        raise ClusterFileError(f"{where}: missing {what} {', '.join(missing)}")
