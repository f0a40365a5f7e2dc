"""Which cluster owns a lead, which ones get a copy, and why (the product contract's rules).

Owner, by the first rule that applies: the cluster of the SME's country; the first
target region; the conversation language's default cluster. Every other target
region gets a copy. The reason names the rule and the values, so staff can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from bot.definitions import FALLBACK_LANGUAGE
from bot.leads.clusters import ClusterTable

RoutingRule = Literal["country", "target_region", "language"]


@dataclass(frozen=True)
class Route:
    """The owning cluster code, the copied cluster codes, and the rule that chose them.

    `reason` explains it to staff (in English, with the values); `rule` names the rule
    alone, for texts in other languages (the SME's confirmation e-mail).
    """

    cluster: str
    cc_clusters: list[str]
    reason: str
    rule: RoutingRule


def route(
    *,
    country: str | None,
    target_regions: Iterable[str] | None,
    language: str,
    clusters: ClusterTable,
) -> Route:
    """Route one lead; unknown region codes are ignored (and named in the reason)."""
    given = list(dict.fromkeys(target_regions or []))
    targets = [code for code in given if code in clusters]
    unknown = [str(code) for code in given if code not in clusters]
    country = country.strip().upper() if country and country.strip() else None

    home = clusters.by_country(country)
    rule: RoutingRule
    if home is not None:
        owner, rule = home.code, "country"
        reason = f"The SME is located in {country}, the country of {home.name} ({owner})."
    elif targets:
        owner, rule = targets[0], "target_region"
        reason = f"{_location(country)}; the first target region is {owner}."
    else:
        rule = "language"
        owner, reason = _by_language(country, language, clusters)

    cc_clusters = [code for code in targets if code != owner]
    if cc_clusters:
        reason += f" Copied to the other target regions: {', '.join(cc_clusters)}."
    if unknown:
        reason += f" Ignored unknown region codes: {', '.join(unknown)}."
    return Route(cluster=owner, cc_clusters=cc_clusters, reason=reason, rule=rule)


def _by_language(country: str | None, language: str, clusters: ClusterTable) -> tuple[str, str]:
    where = _location(country)
    try:
        owner = clusters.for_language(language).code
    except KeyError:
        owner = clusters.for_language(FALLBACK_LANGUAGE).code
        return owner, (
            f"{where} and no target region; the conversation language {language!r} has no default"
            f" cluster, so the default for {FALLBACK_LANGUAGE!r}, {owner}, owns it."
        )
    configured = " (the configured default for English)" if language == FALLBACK_LANGUAGE else ""
    return owner, (
        f"{where} and no target region; the conversation language {language!r}"
        f" goes to {owner}{configured}."
    )


def _location(country: str | None) -> str:
    if country:
        return f"The SME is located in {country}, outside the five cluster countries"
    return "No country was given"
