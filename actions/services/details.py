"""Turn one user message into candidate values for the registration's slots.

Pure functions of Rasa parse data, so the rules can be tested without a model:
entities first, then, for the question the form just asked, the plain text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

import yaml

from actions.services.meaning import (
    OFF_QUESTION,
    PART_MIN_MARGIN,
    UNMISTAKABLE_MARGIN,
    answer_meanings,
    event_phrases,
)
from actions.services.numbers import parse_head_count, read_head_count
from actions.services.places import (
    codes_in,
    countries_in,
    country_in_answer,
    country_named_at,
    country_of,
    vocabulary_index,
)
from actions.services.text import fold
from bot.config import PROJECT_ROOT
from bot.definitions import INTERESTS, LANGUAGES, SECTORS
from bot.event_catalogue import Event, upcoming_events
from bot.leads.clusters import ClusterTable

INTENT_INTERESTS = {"find_partner": "partnering", "ask_funding": "financing", "ask_events": "events"}
NAME_SLOTS = ("company_name", "contact_name")
MAX_NAME_LENGTH = 120
EMAIL_IN_TEXT = re.compile(r"[^\s@<>(),;:\"']+@[^\s@<>(),;:\"']+\.[^\s@<>(),;:\"'.]+")
NO_EVENT = "none"
NO_PREFERENCE = "none"  # the target-regions answer that names no region
ALL_OF_THEM = "all"  # the interests answer that names every interest
CHOICE_SLOTS = ("sector", "interests", "target_regions", "event_id")
ORDINALS_FILE = PROJECT_ROOT / "catalogue" / "ordinals.yml"
MAX_ORDINAL_ANSWER_WORDS = 6
# An answer whose parts are all this short lists values rather than describing a company.
MAX_LISTED_WORDS = 3
# An event named by a word of its title is no answer when the whole answer is this much nearer
# to "not decided yet" than to that event ("na razie żadne, zobaczymy później").
NAMED_EVENT_DOUBT = 0.04
# A sector this much nearer in meaning than any other beats a keyword of another sector in the text
# ("une appli qui rappelle aux patients de prendre leurs médicaments" is digital health).
CLEAR_MEANING_MARGIN = 0.02
DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\s?[./]\s?(\d{1,2})(?!\d)|(\d{4})-(\d{2})-(\d{2})")


def _intent(message: Dict[str, Any]) -> str:
    return (message.get("intent") or {}).get("name") or ""


def _languages(language: str | None) -> List[str]:
    return [language] + [code for code in LANGUAGES if code != language] if language else list(LANGUAGES)


def from_entities(message: Dict[str, Any], requested: str | None, language: str | None,
                  clusters: ClusterTable) -> Dict[str, Any]:
    """Slot candidates from the message's entities (and any e-mail address in its text)."""
    found: Dict[str, Any] = {}
    targets: List[str] = []
    interests: List[str] = []
    text = message.get("text") or ""
    for entity in message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if value in (None, ""):
            continue
        value = str(value).strip()
        if requested in NAME_SLOTS and name not in NAME_SLOTS:
            continue  # "Telemed Piemonte Srl" names a company, not a region to work with
        if name in NAME_SLOTS:
            if requested in NAME_SLOTS or not is_greeting(value):  # "Hiya! We'd like to sign up"
                found.setdefault(name, _whole_name(text, entity, value))
        elif name in ("email", "event_id"):
            found.setdefault(name, value)
        elif name == "employees":
            count = parse_head_count(value, _languages(language))
            if requested == "employees":  # "between 40 and 50": the NLU finds one number, the answer means 45
                whole = read_head_count(text, _languages(language))
                count = whole.value if whole and whole.certain else count
            if count is not None or requested == "employees":  # "médecins" is no head count
                found.setdefault("employees", count if count is not None else value)
        elif name == "location":
            country = country_of(value)
            as_target = requested == "target_regions" or (entity.get("role") == "target" and requested != "country")
            if as_target:
                cluster = clusters.by_country(country) if country else None
                if cluster and cluster.code not in targets:
                    targets.append(cluster.code)
            elif requested == "country":  # the first place named: the NLU may miss it ("USA, Boston, ale ... w Krakowie")
                if "country" not in found:  # the whole answer is read once, whatever the NLU found in it
                    found["country"] = country_in_answer(text, language) or place_as_written(text, entity, language) \
                        or country or value
            elif own := place_as_written(text, entity, language) or country:
                found.setdefault("country", own)
        elif name == "sector" and value in SECTORS:
            found.setdefault("sector", value)
        elif name == "interest" and value in INTERESTS and value not in interests:
            interests.append(value)
    if targets:
        found["target_regions"] = targets
    if interests:
        found["interests"] = interests
    email = EMAIL_IN_TEXT.search(message.get("text") or "")
    if email:
        found["email"] = email.group(0)
    _swap_mislabelled_name(found, requested)
    return found


def place_as_written(text: str, entity: Dict[str, Any], language: str | None) -> str | None:
    """The country of a place the NLU found, read from its words in the message in the conversation's
    language, within the longest place name around them: the NLU maps a name the same way whatever the
    language ("Monaco": Munich in Italian, the principality in French) and may find part of a name
    ("Principato di Monaco")."""
    start, end = entity.get("start"), entity.get("end")
    if not text or not isinstance(start, int) or not isinstance(end, int):
        return None
    return country_named_at(text, start, end, language)


def is_greeting(name: str) -> bool:
    """Whether a name the NLU found is a greeting or a word too short to be a name ("Hiya", "We")."""
    return len(name.strip()) < 3 or fold(name) in greeting_words()


@lru_cache(maxsize=1)
def greeting_words(root: Path = PROJECT_ROOT / "nlu_data") -> frozenset[str]:
    """The first words of the `greet` training examples of every language ("hiya", "servus", "cześć")."""
    words: set[str] = set()
    for path in root.glob("*/basics.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if block.get("intent") == "greet":
                words |= {fold(line.strip().lstrip("-")).split()[0]
                          for line in (block.get("examples") or "").splitlines() if fold(line.strip().lstrip("-"))}
    return frozenset(words)


def _whole_name(text: str, entity: Dict[str, Any], value: str) -> str:
    """The name with the capitalised words and abbreviations that follow it ("Telemed" +
    " Piemonte Srl", "Cardiobit" + " sp. z o.o.", "Ortomed S.r.l" + "."): the NLU often stops
    a name early. Taken from the text itself, so its spacing and punctuation stay as typed."""
    start, end = entity.get("start", 0), entity.get("end")
    if not isinstance(end, int) or text[start:end] != value:
        return value
    whole_end = end
    for word in re.finditer(r"\S+", text[end:]):
        clean = word.group().rstrip(",;!?")
        if not clean or not (clean[0].isupper() or "." in clean or clean in ("z", "&")):
            break
        whole_end = end + word.start() + len(clean)
        if clean != word.group():
            break
    return text[start:whole_end]


def _swap_mislabelled_name(found: Dict[str, Any], requested: str | None) -> None:
    """Asked for a person's name, the NLU may call it a company (and the other way round)."""
    if requested in NAME_SLOTS:
        other = NAME_SLOTS[1 - NAME_SLOTS.index(requested)]
        if other in found and requested not in found:
            found[requested] = found.pop(other)


def from_answer(message: Dict[str, Any], requested: str, language: str | None,
                clusters: ClusterTable) -> Any | None:
    """The plain text read as the answer to the requested slot, or None if it says nothing.

    A value that cannot be right (an e-mail without "@") is returned as it is, so that
    validation re-asks with a helpful message.
    """
    text = (message.get("text") or "").strip()
    intent = _intent(message)
    typed = bool(text) and not text.startswith("/")  # button payloads carry entities, read above
    if requested in ("consent", "registration_confirmed"):
        return yes_or_no(text if typed else "", intent, language, to_summary=requested == "registration_confirmed")
    if requested == "event_id" and intent == "deny":
        return NO_EVENT
    if requested == "target_regions" and intent == "deny" and not countries_in(text):
        return []  # the "No preference" button, or a plain "no"
    if not typed:
        return None
    if requested in NAME_SLOTS:
        return text.strip(" .!,;")[:MAX_NAME_LENGTH + 1]
    if requested == "email":
        return text
    if requested == "country":
        return country_in_answer(text, language) or text
    if requested == "employees":
        count = parse_head_count(text, _languages(language))
        return count if count is not None else text
    if requested in CHOICE_SLOTS:
        choice = understood_choice(text, intent, requested, clusters, language=language)
        return text if choice is None else choice
    return None


def yes_or_no(text: str, intent: str, language: str | None, to_summary: bool = False) -> bool | None:
    """A yes or no: the NLU's, unless the words or their first part are plainly our phrase for the other
    ("no problem", "ok, but no newsletters");
    else the answer's first part ("ok, as long as ..."), its whole meaning, or the one its parts agree on.
    `to_summary`: a "but" turns a yes into a no ("yes, but the e-mail is wrong": what to correct?)."""
    decided = {"affirm": True, "deny": False}.get(intent)
    if not text:
        return decided
    meanings = answer_meanings()
    said = meanings.rank("yes_no", text).unmistakable or \
        meanings.understand_first("yes_no", text, language, unmistakable=True) or \
        meanings.plain_yes_or_no(text, language)  # "ok, but no newsletter, please"
    if said is None and decided is None:
        said = meanings.understand_first("yes_no", text, language) or meanings.understand("yes_no", text) or \
            "".join(meanings.understand_several("yes_no", text, language))  # both a yes and a no: neither
    answer = {"true": True, "false": False}.get(said or "", decided)
    if answer and to_summary and (meanings.excepted(text, language) or
                                  "false" in meanings.unmistakable_in_parts("yes_no", text, language)):
        return False  # "ok, but the e-mail is wrong", "wait, one thing is wrong": nothing is saved unchecked
    return answer


def names_a_head_count(text: str, language: str | None) -> bool:
    """Whether the text holds a head count ("je veux parler à un humain" holds none: "un" is an article)."""
    reading = read_head_count(text, _languages(language))
    return reading is not None and not reading.article


def understood_choice(text: str, intent: str, requested: str, clusters: ClusterTable,
                      off_question: bool = False, language: str | None = None) -> Any | None:
    """The value of a multiple-choice question that the text clearly gives: its words, else its meaning.

    `off_question`: the NLU took the text for something else (a question about S3martMed, say);
    its meaning must then be nearer to a value than to any such message.
    """
    meanings = answer_meanings()
    if requested == "sector":
        ranking = meanings.rank("sector", text, off_question)
        sectors = [code for code in codes_in(text, vocabulary_index()) if code in SECTORS]
        clear = ranking.ahead_by(CLEAR_MEANING_MARGIN)
        if clear or not sectors:  # "AI for radiology" is no diagnostics, though "radiology" is
            if not clear and _parts_mean(ranking.nearest(2), "sector", text, language):  # "tests and devices"
                return None  # which one? the two are asked back
            return clear or ranking.understood or _one_of_parts("sector", text, language, off_question) or \
                (None if ranking.scores[0][0] == OFF_QUESTION else meanings.classify("sector", text))
        return sectors[0]
    if requested == "interests":
        def named_interests(words: str) -> List[str]:
            return [code for code in codes_in(words, vocabulary_index()) if code in INTERESTS]

        but = _all_but("interests", ALL_OF_THEM, list(INTERESTS), named_interests, text, language, off_question)
        if but:
            return but
        interests = named_interests(text)
        interests += [code for code in meanings.understand_several("interests", text, language, off_question,
                                                                   named=bool(interests), refusals_add_nothing=True)
                      if code not in interests]
        if ALL_OF_THEM in interests:  # "all four", said as a whole, not a part of a longer answer
            if meanings.understand("interests", text, off_question) == ALL_OF_THEM:
                return list(INTERESTS)
            interests.remove(ALL_OF_THEM)
        if not interests and intent in INTENT_INTERESTS:  # "we're looking for distributors"
            interests.append(INTENT_INTERESTS[intent])
        return _without_declined("interests", interests, named_interests, text, language) or None
    if requested == "target_regions":
        def named_regions(words: str) -> List[str]:
            return [cluster.code for cluster in (clusters.by_country(c) for c in countries_in(words)) if cluster]

        but = _all_but("target_regions", NO_PREFERENCE, list(clusters.codes), named_regions, text, language,
                       off_question)
        if but:
            return but
        meant = meanings.understand_several("target_regions", text, language, off_question)
        regions = list(dict.fromkeys(named_regions(text) + [code for code in meant if code in clusters]))
        regions = _without_declined("target_regions", regions, named_regions, text, language)
        if regions:
            return regions
        if NO_PREFERENCE in meant:
            return []
        return [cluster.code for cluster in clusters] if intent == "affirm" else None  # "yes, all five"
    if requested == "event_id":
        ranking = meanings.rank("event_id", text, off_question)
        if ranking.plainly_off_question:  # "voglio parlare con una persona" names no event "di persona"
            return None
        exactly = event_on_date(text) or event_by_place(text)  # "21/4", "the second one"
        if exactly:
            return exactly
        named = event_named(text)  # "MDR", "Lyon", "April"
        if named and ranking.ahead_of(NO_EVENT, named, NAMED_EVENT_DOUBT):  # "zdecyduję później": "późn" is in a title
            return NO_EVENT
        return named or ranking.understood
    return None


def event_named(text: str) -> str | None:
    """The one upcoming event named by a word of the text that no other event's phrases have
    ("Lyon", "MDR", "April": its title, date or keywords in any of the five languages)."""
    events = upcoming_events()
    words = _naming_words(text)
    named = {event.id for event in events if words & _distinctive_words(event, events)}
    return named.pop() if len(named) == 1 else None


def _all_but(question: str, whole: str, everything: List[str], named: Callable[[str], List[str]], text: str,
             language: str | None, off_question: bool) -> List[str] | None:
    """"Everything except financing", "toutes sauf la Pologne": every value but those named after the
    exception, when what comes before it means all of them (`whole`)."""
    meanings = answer_meanings()
    excepted = meanings.excepted(text, language)
    if not excepted:
        return None
    before, after = excepted
    if any(character.isalpha() for character in before):  # "everything except financing"; "raczej tylko ..." is no whole
        if meanings.rank(question, before, off_question).ahead_by(UNMISTAKABLE_MARGIN) != whole and \
                whole not in meanings.unmistakable_in_parts(question, before, language):
            return None
    else:  # "apart from financing, all the rest"; "only Germany" says no whole
        parts = meanings.parts(after, language)
        wholes = [part for part in parts if meanings.rank(question, part, off_question).unmistakable == whole]
        if not wholes or len(wholes) == len(parts):
            return None
        after = ", ".join(part for part in parts if part not in wholes)
    left_out = set(named(after) or meanings.understand_several(question, after, language, off_question)) - {whole}
    return [code for code in everything if code not in left_out] if left_out else None


def _without_declined(question: str, values: List[str], named: Callable[[str], List[str]], text: str,
                      language: str | None) -> List[str]:
    """The values less those of the answer's parts that turn them down ("funding and partners, no events"):
    the values a part names, else the one it clearly means; all of them when nothing would be left
    ("nie mamy laboratorium" may well ask for one)."""
    meanings = answer_meanings()
    declined = {code for part in meanings.declined_parts(text, language)
                for code in named(part) or [meanings.rank(question, part).ahead_by(PART_MIN_MARGIN)] if code}
    kept = [value for value in values if value not in declined]
    return kept if kept else values


def _parts_mean(values: List[str], question: str, text: str, language: str | None) -> bool:
    """Whether the answer lists short parts that between them mean exactly these values ("tests and
    devices"); the parts of a description ("Bauunternehmen, Hoch- und Tiefbau") are no such list."""
    meanings = answer_meanings()
    parts = meanings.parts(text, language)
    if len(parts) < 2 or any(len(part.split()) > MAX_LISTED_WORDS for part in parts):
        return False
    return {meanings.understand(question, part) for part in parts} == set(values)


def _one_of_parts(question: str, text: str, language: str | None, off_question: bool) -> str | None:
    """The one value that a part of a longer answer says beyond doubt ("surgical instruments, mostly for the eye")."""
    found = answer_meanings().unmistakable_in_parts(question, text, language, off_question)
    return found[0] if len(found) == 1 else None


def event_on_date(text: str) -> str | None:
    """The one upcoming event on a date written in digits, day first ("am 10.2.", "21/4", "2027-02-10")."""
    days = {(int(m[1]), int(m[2])) if m[1] else (int(m[5]), int(m[4])) for m in DAY_MONTH.finditer(text)}
    named = {event.id for event in upcoming_events() if (event.date.day, event.date.month) in days}
    return named.pop() if len(named) == 1 else None


def event_by_place(text: str) -> str | None:
    """The event a short answer names by its place in the list of upcoming events ("the second one", "3")."""
    words = fold(text).split()
    if "?" in text or not words or len(words) > MAX_ORDINAL_ANSWER_WORDS:
        return None
    padded = f" {' '.join(words)} "
    places = {place for place, phrases in ordinal_phrases().items()
              if words == [place] or any(f" {p} " in padded for p in phrases)}
    events = upcoming_events()
    if len(places) != 1 or not events:
        return None
    place = places.pop()
    index = len(events) - 1 if place == "last" else int(place) - 1
    return events[index].id if index < len(events) else None


@lru_cache(maxsize=1)
def ordinal_phrases(path: Path = ORDINALS_FILE) -> Dict[str, List[str]]:
    """Place ("1", "2", ..., "last") -> its words in all five languages, folded."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(place): [fold(str(phrase)) for language in LANGUAGES for phrase in phrases.get(language) or []]
            for place, phrases in data.items()}


def _naming_words(text: str) -> set[str]:
    """Acronyms as typed ("MDR"), and the first four letters of longer words, so that grammatical
    forms meet ("lutym", "lutego" and "luty": February). A hyphenated word counts as its first part
    ("rendez-vous" is no "vous")."""
    found: set[str] = set()
    for token in re.findall(r"\w+(?:-\w+)*", text):
        parts = token.split("-")
        found |= {fold(part) for part in parts if part.isupper() and 2 <= len(part) <= 5}
        if len(parts[0]) >= 4 and not parts[0].isdigit():
            found.add(fold(parts[0])[:4])
    return found


def _distinctive_words(event: Event, events: List[Event]) -> set[str]:
    def words(e: Event) -> set[str]:
        return set().union(*(_naming_words(phrase) for phrase in event_phrases(e)))
    return words(event) - set().union(*(words(e) for e in events if e.id != event.id))


def interests_of_intents(intents: Iterable[str]) -> List[str]:
    """Interests implied by what the SME asked about ("find_partner" -> partnering)."""
    found: List[str] = []
    for intent in intents:
        interest = INTENT_INTERESTS.get(intent)
        if interest and interest not in found:
            found.append(interest)
    return found
