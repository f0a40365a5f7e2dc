"""The product contract's fixed names, defined once: languages, sectors, interests, clusters, lead API fields.

domain.yml, config.yml, nlu_data/ and the catalogues repeat some of them, because Rasa
and translators read those files; tests/test_definitions.py keeps them in line with this
module. Python code imports the names from here.

Also the language report: what the NLU's `LanguageDetector` says about one message,
carried by Rasa in the parse result (`/model/parse`, a tracker's `latest_message`) as
a plain dict under `DETECTION_KEY`; `LanguageReport` is its typed form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "it", "pl")
"""The languages the assistant speaks (ISO 639-1), in the contract's order."""

FALLBACK_LANGUAGE = "en"
"""Language of a conversation that gave no sign of its own, of the unsupported-language
answer, and of any text missing in another language."""

SECTORS: tuple[str, ...] = ("medical_devices", "diagnostics", "digital_health", "biotech_pharma", "other")
"""Values of the `sector` slot."""

INTERESTS: tuple[str, ...] = ("partnering", "technology_centre", "events", "financing")
"""Values of the `interests` slot."""

CLUSTER_CODES: tuple[str, ...] = ("lyonbiopole", "biowin", "medsilesia", "biopmed", "bioregio_stern")
"""The cluster partners' codes, in the contract's order (their details: catalogue/clusters.yml)."""

LEAD_API_FIELDS: tuple[str, ...] = (
    "id", "created_at", "language", "company_name", "contact_name", "email", "country", "employees",
    "sector", "interests", "target_regions", "qualified", "qualification_reasons", "cluster",
    "cc_clusters", "routing_reason", "status", "conversation_id",
)
"""The fields each lead has in the lead API (`GET /api/leads`), in the contract's order."""

DETECTION_KEY = "language_detection"
"""Key of the language report in a parsed message (`/model/parse`, `latest_message`)."""


@dataclass(frozen=True)
class LanguageReport:
    """What one message says about its language; the conversation's state is not in it.

    The dict form (`to_dict`) is what trained models write and trackers store: its keys
    and values must not change, or stored conversations and old models stop agreeing.
    """

    language: str | None = None
    """Best language of the message's words (any code the detector knows), None without words."""
    confidence: float = 0.0
    words: int = 0
    reliable: bool = False
    """Enough words and confidence to switch a conversation on this message alone."""
    supported: bool | None = None
    """Whether `language` is one the assistant speaks (None without a language)."""
    guess: str | None = None
    """For an unreliable report only: the language the words suggest, to start a conversation in."""
    hint: str | None = None
    """The channel's language (Telegram's `language_code`, the widget page's), normalised."""
    requested: str | None = None
    """The language the user explicitly asked for ("auf Deutsch bitte", `/language de`)."""

    @property
    def in_unsupported_language(self) -> bool:
        """Whether the message is reliably in a language we do not speak."""
        return self.reliable and self.supported is False

    def to_dict(self) -> dict[str, Any]:
        """The form Rasa carries; a reliable report has no `guess` key, as models have always written."""
        data = asdict(self)
        if self.reliable:
            del data["guess"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LanguageReport:
        """Read a report back; missing keys (older or partial reports) take their defaults."""
        data = data or {}
        return cls(**{f.name: data[f.name] for f in fields(cls) if data.get(f.name) is not None})

    @classmethod
    def of(cls, parse_data: Mapping[str, Any] | None) -> LanguageReport:
        """The report in a parse result (an empty one where the NLU did not write it)."""
        return cls.from_dict((parse_data or {}).get(DETECTION_KEY))

# Messages the registration form leaves to the rules (answer, then ask again) when the NLU is at
# least this sure: the form (actions/registration.py) and the funnel's re-ask count
# (bot/portal/funnel.py) both read them.
FORM_DIGRESSIONS = frozenset({"faq", "help", "bot_challenge", "out_of_scope", "change_language", "stop",
                              "delete_my_data", "ask_my_data", "greet", "goodbye", "thank", "request_human"})
DIGRESSION_CONFIDENCE = 0.7
