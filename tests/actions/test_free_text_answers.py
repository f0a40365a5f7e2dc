"""Free-text answers to the registration's questions, read by meaning with the real sentence encoder.

The sentences here are the team's own; the writers' held-out answers are only measured
(`python -m benchmarks.form_answers`), never tested on.
"""

from __future__ import annotations

import pytest
import yaml

from actions.choices import ActionAskEventId, ActionAskSector, button_value
from actions.services.details import INTERESTS, SECTORS, event_named
from actions.services.meaning import (
    DECLINING_WORDS,
    EXCEPTING_WORDS,
    HEDGING_WORDS,
    JOINING_WORDS,
    MEANINGS_FILE,
    OFF_QUESTION,
    YES_NO_WORDS,
    AnswerMeanings,
    answer_meanings,
)
from actions.services.places import country_in_answer, known_countries, place_index, places_catalogue
from bot import sentence_encoder
from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES
from bot.event_catalogue import upcoming_events
from bot.leads.clusters import load_clusters
from tests.actions.test_registration_form import entity, form_tracker, message, run_form


def test_every_value_is_described_in_all_five_languages():
    meanings = yaml.safe_load(MEANINGS_FILE.read_text(encoding="utf-8"))
    assert set(meanings.pop(JOINING_WORDS)) == set(meanings.pop(EXCEPTING_WORDS)) == \
        set(meanings.pop(DECLINING_WORDS)) == set(meanings.pop(HEDGING_WORDS)) == set(LANGUAGES)
    assert {value: set(words) for value, words in meanings.pop(YES_NO_WORDS).items()} == \
        {"true": set(LANGUAGES), "false": set(LANGUAGES)}
    assert set(meanings["sector"]) == set(SECTORS)
    assert set(meanings["interests"]) == set(INTERESTS) | {"all"}
    assert set(meanings["target_regions"]) == set(load_clusters().codes) | {"none"}
    assert set(meanings["yes_no"]) == {"true", "false"} and set(meanings["event_id"]) == {"none"}
    assert set(meanings["unclear"]) == {"unclear"}
    missing = [(question, value, language) for question, values in meanings.items()
               for value, phrases in values.items() for language in LANGUAGES if not phrases.get(language)]
    assert missing == []
    not_text = [phrase for values in meanings.values() for phrases in values.values()
                for language in LANGUAGES for phrase in phrases[language] if not isinstance(phrase, str)]
    assert not_text == []  # YAML reads a bare yes or no as true or false


@pytest.mark.parametrize("text, language, sector", [
    ("we build knee replacements and bone screws", "en", "medical_devices"),
    ("wir entwickeln Schnelltests auf Borreliose", "de", "diagnostics"),
    ("nous éditons un logiciel de suivi à distance des patients insuffisants cardiaques", "fr", "digital_health"),
    ("produciamo anticorpi monoclonali per l'oncologia", "it", "biotech_pharma"),
    ("prowadzimy firmę transportową", "pl", "other"),
    ("produciamo protesi d'anca", "it", "medical_devices"), ("sviluppiamo test genetici", "it", "diagnostics"),
    ("siamo una CRO", "it", "biotech_pharma"), ("un'app per chi soffre di diabete", "it", "digital_health"),
    ("algoritmi di intelligenza artificiale per la radiologia", "it", "digital_health"),  # not "radiologia": diagnostics
    ("chirurgische Instrumente, vor allem für die Augenheilkunde", "de", "medical_devices"),
    # Trades no phrase names: what sets "other" apart is learned (CLASSIFIED_QUESTIONS).
    ("we run a small hotel by the lake", "en", "other"), ("on vend des vélos électriques", "fr", "other"),
    ("hurtownia materiałów budowlanych", "pl", "other"),
])
async def test_a_sector_described_in_own_words_is_understood(text, language, sector, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "sector", "language": language}),
                           dispatcher, domain)
    assert slots["sector"] == sector and slots["requested_slot"] != "sector"


@pytest.mark.parametrize("text, language", [
    ("well honestly I couldn't tell you", "en"), ("bonne question, je réfléchis", "fr"),
])
async def test_an_answer_that_names_no_sector_is_asked_back_not_read_as_other(text, language, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "sector", "language": language}),
                           dispatcher, domain)
    assert slots["sector"] is None


def test_one_stray_phrase_of_another_sector_does_not_outweigh_a_sector_that_several_describe():
    """A sector's score averages its three nearest phrases (NEIGHBOURS): "hearing tests for newborns"
    alone is nearer to this answer than any hearing-aid phrase, yet the answer is about hearing aids."""
    phrases = [("sector", "medical_devices", text) for text in (
        "we make hearing aids", "behind-the-ear hearing devices", "cochlear implants and hearing amplifiers")]
    phrases += [("sector", "diagnostics", text) for text in (
        "hearing tests for newborns", "blood tests", "a lab for genetic tests")]
    meanings = AnswerMeanings(phrases, sentence_encoder.embed([text for _, _, text in phrases]))
    ranking = meanings.rank("sector", "hearing aid fitting and hearing tests")
    assert [value for value, _ in ranking.scores] == ["medical_devices", "diagnostics"]


@pytest.mark.parametrize("text, language", [
    ("doesn't matter to us", "en"), ("ist uns eigentlich egal", "de"), ("aucune préférence particulière", "fr"),
    ("per noi è indifferente", "it"), ("nie mamy preferencji", "pl"), ("obojętnie", "pl"),
])
async def test_no_preference_in_other_words_answers_the_regions_question(text, language, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "target_regions", "language": language,
                                                        "interests": ["partnering"]}), dispatcher, domain)
    assert slots["target_regions"] == []


async def test_a_word_that_joins_answers_in_one_language_may_be_an_article_in_another(dispatcher, domain):
    slots = await run_form(form_tracker(message("principalmente i webinar"),
                                        {"requested_slot": "interests", "language": "it"}), dispatcher, domain)
    assert slots["interests"] == ["events"]  # Italian "i" is "the", not Polish "and"


async def test_several_interests_in_one_sentence(dispatcher, domain):
    slots = await run_form(form_tracker(message("gli webinar, e magari qualche investitore", "ask_events"),
                                        {"requested_slot": "interests", "language": "it"}), dispatcher, domain)
    assert sorted(slots["interests"]) == ["events", "financing"]


@pytest.mark.parametrize("text, language, interests", [
    ("everything but money", "en", ["events", "partnering", "technology_centre"]),
    ("alles außer Geld", "de", ["events", "partnering", "technology_centre"]),
    ("tout sauf les webinaires", "fr", ["financing", "partnering", "technology_centre"]),
    ("wszystko oprócz pieniędzy", "pl", ["events", "partnering", "technology_centre"]),
    ("szukamy dystrybutorów i chętnie weźmiemy udział w webinarach", "pl", ["events", "partnering"]),
    ("Fördergelder und Partner im Ausland", "de", ["financing", "partnering"]),
    ("webinaires et subventions", "fr", ["events", "financing"]),
    ("subsidies for our R&D would be nice", "en", ["financing"]),  # "R&D" is one word, and no partner
    ("investors and partners, no webinars please", "en", ["financing", "partnering"]),
    ("Partner und Fördermittel, keine Veranstaltungen", "de", ["financing", "partnering"]),
    ("Technologiezentren und Partner, Events eher nicht", "de", ["partnering", "technology_centre"]),
    ("des partenaires, les événements ne nous intéressent pas", "fr", ["partnering"]),
    ("niente webinar, solo finanziamenti", "it", ["financing"]),
    ("partners, financing, events, everything but the lab", "en", ["events", "financing", "partnering"]),
    ("a parte gli eventi, tutto il resto", "it", ["financing", "partnering", "technology_centre"]),
    ("all except events", "en", ["financing", "partnering", "technology_centre"]),  # "all": no 0.95 needed
    # a refusal after the noun, or what the SME has already, turns a value down and adds none
    ("Geld brauchen wir keins, wir suchen Vertriebspartner", "de", ["partnering"]),
    ("eventi no, ma un laboratorio per i test sì", "it", ["technology_centre"]),
    ("we don't need funding, what we're after is distributors", "en", ["partnering"]),
    ("un labo on en a déjà un, on cherche des investisseurs", "fr", ["financing"]),
    ("partnerów mamy już dość, szukamy grantów", "pl", ["financing"]),
    ("tout sauf les webinaires, on n'a pas le temps pour ça", "fr", ["financing", "partnering", "technology_centre"]),
    # word lists read as typed without diacritics; a part of hedging words only names nothing
    ("wszystko oprocz eventow", "pl", ["financing", "partnering", "technology_centre"]),
    ("finansowanie i eventy, partnerow juz mamy", "pl", ["events", "financing"]),
    ("przede wszystkim centrum technologiczne, moze tez jakies wydarzenia", "pl", ["events", "technology_centre"]),
])
async def test_several_interests_or_all_but_some(text, language, interests, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "interests", "language": language}),
                           dispatcher, domain)
    assert sorted(slots["interests"]) == interests


async def test_interests_that_mention_webinars_answer_the_question_even_when_taken_for_an_faq(dispatcher, domain):
    latest = message("mostly the webinars you organise", "faq", confidence=0.9)
    slots = await run_form(form_tracker(latest, {"requested_slot": "interests"}), dispatcher, domain)
    assert slots["interests"] == ["events"]


@pytest.mark.parametrize("text, intent", [
    ("how much does taking part cost?", "faq"), ("who funds this project?", "faq"),
    ("what can you do for me?", "help"), ("am I talking to a robot?", "bot_challenge"),
])
async def test_a_question_asked_instead_of_the_sector_is_left_to_the_rules(text, intent, dispatcher, domain):
    slots = await run_form(form_tracker(message(text, intent), {"requested_slot": "sector"}), dispatcher, domain)
    assert "sector" not in slots


async def test_an_answer_between_two_sectors_is_asked_back_as_those_two(dispatcher, domain):
    slots = await run_form(form_tracker(message("hmm, hard to say"), {"requested_slot": "sector"}), dispatcher, domain)
    assert slots["sector"] is None and len(slots["choice_options"]) == 2
    assert set(slots["choice_options"]) <= set(SECTORS)
    assert dispatcher.messages == []  # no generic "I did not understand": the question names two options

    tracker = form_tracker(message("hmm, hard to say"), {"requested_slot": "sector", "language": "de",
                                                          "choice_options": ["medical_devices", "diagnostics"]})
    await ActionAskSector().run(dispatcher, tracker, domain)
    (asked,) = dispatcher.messages
    assert asked["response"] == "utter_ask_which_of_two"
    assert [b["title"] for b in asked["buttons"]] == ["Medizinprodukte", "Diagnostik"]
    assert (asked["first"], asked["second"]) == ("Medizinprodukte", "Diagnostik")
    assert [button_value(b) for b in asked["buttons"]] == ["medical_devices", "diagnostics"]

async def test_an_answer_listing_two_sectors_is_asked_back_as_those_two(dispatcher, domain):
    slots = await run_form(form_tracker(message("tests and devices"), {"requested_slot": "sector", "language": "en"}),
                           dispatcher, domain)
    assert slots["sector"] is None and set(slots["choice_options"]) == {"diagnostics", "medical_devices"}


def test_a_hyphen_before_a_joining_word_keeps_one_part():
    meanings = answer_meanings()
    assert meanings.parts("elektrisch verstellbare Pflege- und Klinikbetten", "de") == \
        ["elektrisch verstellbare Pflege- und Klinikbetten"]
    assert meanings.parts("Partner und Finanzierung", "de") == ["Partner", "Finanzierung"]


async def test_the_chosen_option_clears_the_narrowed_question(dispatcher, domain):
    button = {"text": '/inform{"sector": "diagnostics"}', "intent": {"name": "inform", "confidence": 1.0},
              "entities": [{"entity": "sector", "value": "diagnostics"}]}
    slots = await run_form(form_tracker(button, {"requested_slot": "sector",
                                                 "choice_options": ["medical_devices", "diagnostics"]}),
                           dispatcher, domain)
    assert slots["sector"] == "diagnostics" and slots["choice_options"] is None


async def test_without_nearest_options_the_whole_question_is_asked(dispatcher, domain):
    await ActionAskEventId().run(dispatcher, form_tracker(message("x"), {"requested_slot": "event_id"}), domain)
    (asked,) = dispatcher.messages
    assert asked["response"] == "utter_ask_event_id"
    assert [button_value(b) for b in asked["buttons"]] == [e.id for e in upcoming_events()] + ["none"]


@pytest.mark.parametrize("text, event_id", [
    ("the one in Lyon", "example-brokerage-lyon"), ("das MDR-Webinar", "example-webinar-eu-mdr"),
    ("to w kwietniu", "example-webinar-financing"), ("quello in presenza", "example-brokerage-lyon"),
])
def test_an_event_named_by_place_topic_month_or_kind(text, event_id):
    assert event_named(text) == event_id


@pytest.mark.parametrize("text, language, place", [
    ("the second one", "en", 1), ("das erste", "de", 0), ("le dernier", "fr", -1), ("l'ultimo", "it", -1),
    ("trzecie", "pl", 2), ("am 10.2.", "de", 0), ("quello del 21/4", "it", 2), ("to od Medsilesii", "pl", 2),
    ("3", "en", 2), ("Nummer 1", "de", 0), ("le 2 svp", "fr", 1), ("numer 3", "pl", 2),
])
async def test_an_event_named_by_its_place_in_the_list_its_date_or_organiser(text, language, place, dispatcher,
                                                                               domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "event_id", "language": language,
                                                        "interests": ["events"]}), dispatcher, domain)
    assert slots["event_id"] == upcoming_events()[place].id


@pytest.mark.parametrize("text", ["secondo me nessuno", "first I need to ask my boss", "which is the second one?",
                                  "alle 3", "9"])
def test_a_place_word_that_is_no_choice_names_no_event(text):
    from actions.services.details import event_by_place

    assert event_by_place(text) is None


@pytest.mark.parametrize("text, language", [
    ("no idea yet, whichever", "en"), ("weiß ich noch nicht", "de"), ("n'importe lequel", "fr"),
    ("non ho ancora deciso", "it"), ("obojętnie które", "pl"), ("zdecyduję później", "pl"),
    ("on verra", "fr"), ("zastanowię się", "pl"),
])
async def test_an_undecided_event_answer_is_no_particular_event(text, language, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "event_id", "language": language,
                                                        "interests": ["events"]}), dispatcher, domain)
    assert slots["event_id"] == "none"


@pytest.mark.parametrize("text, intent, agreed", [
    ("passt so, danke", "thank", True), ("tak, dzięki", "thank", True), ("c'est bon pour moi", "inform", True),
    ("nee, lieber nicht", "inform", False), ("zgoda", "inform", True), ("fine by me", "request_human", True),
    ("no problem", "deny", True), ("nie ma problemu", "deny", True), ("I'll pass", "affirm", False),
    ("yes - as long as it's used only for this", "faq", True), ("odmawiam", "goodbye", False),
    ("ok if it only goes to the cluster partner", "faq", True), ("d'accord si ça reste entre nous", "faq", True),
    ("ok, as long as it stays with the cluster", "faq", True), ("tak, byle bez spamu", "nlu_fallback", True),
    ("no, keep our details to yourself", "faq", False), ("I'm afraid not, company policy", "faq", False),
    ("merci, mais non", "thank", False), ("danke, aber lieber nicht", "thank", False),
    ("je décline, n'enregistrez rien", "stop", False), ("sì, ma solo per questo progetto", "faq", True),
    # a plain yes first, then something else turned down: the NLU hears the "no"
    ("ok, aber bitte keine Werbung", "deny", True), ("yes ok but no marketing emails", "deny", True),
    ("d'accord, mais pas de newsletter", "deny", True), ("no, thanks", "deny", False),
])
async def test_yes_and_no_in_their_many_forms_answer_the_consent_question(text, intent, agreed, dispatcher, domain):
    slots = await run_form(form_tracker(message(text, intent), {"consent": None, "requested_slot": "consent"}),
                           dispatcher, domain)
    assert slots["consent"] is agreed


@pytest.mark.parametrize("text, intent, language, agreed", [
    # typed without diacritics: each phrase is also embedded so ("moze byc" lay nearer to a no)
    ("moze byc, tylko prosze nie dzwonic", "request_human", "pl", True),
    ("wolalbym na tym etapie nie zostawiac danych", "stop", "pl", False),
    # a word of yes or no in a short first or last part; a courtesy first only when plainly one
    ("Wenn die Daten nur dafür verwendet werden, dann ja.", "faq", "de", True),
    ("mah ok dai... comunque si", "faq", "it", True),
    ("ok zgoda, ale używajcie adresu firmowego a nie prywatnego", "faq", "pl", True),
    ("Nicht einverstanden. Bitte keine Weitergabe an Dritte.", "deny", "de", False),
    ("pas d'accord", "deny", "fr", False), ("non si sa mai, meglio di no", "deny", "it", False),
])
async def test_yes_and_no_as_smes_type_them_in_their_language(text, intent, language, agreed, dispatcher, domain):
    slots = await run_form(form_tracker(message(text, intent), {"consent": None, "requested_slot": "consent",
                                                                "language": language}), dispatcher, domain)
    assert slots["consent"] is agreed


@pytest.mark.parametrize("text, intent", [
    ("what exactly do you do with my data?", "faq"), ("ok, but who sees my data?", "faq"),
    ("tak, ale kto zobaczy moje dane?", "faq"), ("delete my data", "delete_my_data"), ("stop", "stop"),
    ("help", "help"), ("can I talk to a person?", "request_human"),
])
async def test_a_question_or_request_at_the_consent_question_gives_no_consent(text, intent, dispatcher, domain):
    latest = message(text, intent)
    slots = await run_form(form_tracker(latest, {"consent": None, "requested_slot": "consent"}), dispatcher, domain)
    assert "consent" not in slots


def test_off_question_examples_come_from_the_training_data():
    from actions.services.meaning import off_question_examples

    examples = off_question_examples(PROJECT_ROOT / "nlu_data")
    assert "auf Deutsch bitte" not in examples or "[" not in "".join(examples)
    assert len(examples) > 500
    assert all("](" not in example and "]{" not in example for example in examples)
    assert answer_meanings().rank("sector", "how much does it cost?", off_question=True).scores[0][0] == OFF_QUESTION


@pytest.mark.parametrize("requested, text, intent, value", [
    ("country", "Hiszpania", "greet", "ES"), ("country", "Repubblica Ceca", "goodbye", "CZ"),
    ("employees", "sept", "greet", 7.0), ("email", "anna@firma.pl", "faq", "anna@firma.pl"),
])
async def test_an_answer_the_nlu_took_for_a_greeting_still_answers_the_question(requested, text, intent, value,
                                                                                 dispatcher, domain):
    slots = await run_form(form_tracker(message(text, intent), {"requested_slot": requested, "language": "fr"}),
                           dispatcher, domain)
    assert slots[requested] == value


@pytest.mark.parametrize("requested, text, language", [
    ("employees", "je veux parler à un humain", "fr"), ("employees", "ich möchte mit einem Menschen sprechen", "de"),
    ("event_id", "voglio parlare con una persona", "it"),  # "di persona" names the brokerage event
])
async def test_a_request_for_a_person_answers_no_question(requested, text, language, dispatcher, domain):
    latest = message(text, "request_human", confidence=0.99)
    slots = await run_form(form_tracker(latest, {"requested_slot": requested, "language": language,
                                                 "interests": ["events"]}), dispatcher, domain)
    assert requested not in slots


@pytest.mark.parametrize("text, intent", [("what is S3martMed?", "faq"), ("tschüss", "goodbye"),
                                          ("czy jesteś botem?", "bot_challenge")])
async def test_a_question_asked_at_the_summary_is_no_no_to_it(text, intent, dispatcher, domain):
    from rasa_sdk import Tracker

    from actions.registration import ActionAskRegistrationConfirmed

    latest = message(text, intent, confidence=0.99)
    events = [{"event": "slot", "name": "requested_slot", "value": "registration_confirmed"},
              {"event": "user", "parse_data": latest}]
    tracker = Tracker("t", {"language": "en"}, latest, events, False, None, {"name": "registration_form"},
                      "action_listen")
    await ActionAskRegistrationConfirmed().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_registration_summary"]


async def test_a_question_naming_a_country_is_left_to_the_rules(dispatcher, domain):
    latest = message("is Poland one of the partner countries?", "faq")
    slots = await run_form(form_tracker(latest, {"requested_slot": "country"}), dispatcher, domain)
    assert "country" not in slots


async def test_a_greeting_taken_for_a_name_is_not_read_back_after_consent(dispatcher, domain):
    trigger = message("Hiya! We'd love to sign our company up", "register_interest",
                      entities=[entity("contact_name", "Hiya"), entity("contact_name", "We")])
    slots = await run_form(form_tracker(message("sure, go ahead", "affirm"),
                                        {"consent": None, "requested_slot": "consent"}, started_by=trigger),
                           dispatcher, domain)
    assert slots["consent"] is True and "contact_name" not in slots


async def test_an_answer_taken_for_another_intent_implies_no_interest(dispatcher, domain):
    latest = message("wir entwickeln Schnelltests für Hausärzte", "find_partner")
    slots = await run_form(form_tracker(latest, {"requested_slot": "sector", "language": "de"},
                                        started_by=message("Servus, wir möchten uns anmelden", "register_interest")),
                           dispatcher, domain)
    assert slots["sector"] == "diagnostics" and "interests" not in slots


@pytest.mark.parametrize("requested, text, misread", [
    ("event_id", "ten w kwietniu", entity("employees", "ten")),  # "the one in April", not ten people
    ("sector", "une appli pour les médecins généralistes", entity("employees", "médecins")),
])
async def test_an_entity_for_an_answered_question_does_not_change_its_answer(requested, text, misread,
                                                                             dispatcher, domain):
    filled = {"requested_slot": requested, "employees": 15.0, "interests": ["events"], "language": "pl"}
    slots = await run_form(form_tracker(message(text, entities=[misread]), filled), dispatcher, domain)
    assert "employees" not in slots and slots[requested] is not None


@pytest.mark.parametrize("text, intent, language", [
    ("yes, but the e-mail is wrong", "affirm", "en"), ("passt, nur der Name ist falsch geschrieben", "inform", "de"),
    ("tak, ale popraw nazwę firmy", "affirm", "pl"), ("presque, mais le pays c'est la Belgique", "inform", "fr"),
])
async def test_a_yes_with_a_but_at_the_summary_asks_what_to_correct(text, intent, language, dispatcher, domain):
    from rasa_sdk import Tracker

    from actions.registration import said_no_to_summary

    latest = message(text, intent)
    events = [{"event": "slot", "name": "requested_slot", "value": "registration_confirmed"},
              {"event": "user", "parse_data": latest}]
    tracker = Tracker("t", {"language": language}, latest, events, False, None, {"name": "registration_form"},
                      "action_listen")
    assert said_no_to_summary(tracker)


async def test_a_yes_with_a_condition_is_still_consent(dispatcher, domain):
    slots = await run_form(form_tracker(message("yes, but only for this project", "affirm"),
                                        {"consent": None, "requested_slot": "consent"}), dispatcher, domain)
    assert slots["consent"] is True


async def test_a_correction_at_the_summary_is_no_yes(dispatcher, domain):
    latest = message("actually my e-mail is claire.martin@medisens.fr",
                     entities=[entity("email", "claire.martin@medisens.fr")])
    slots = await run_form(form_tracker(latest, {"requested_slot": "registration_confirmed",
                                                 "email": "claire@medisens.fr"}), dispatcher, domain)
    assert slots["email"] == "claire.martin@medisens.fr" and slots.get("registration_confirmed") is not True


@pytest.mark.parametrize("text, language, regions", [
    ("all of them except Germany", "en", ["biopmed", "biowin", "lyonbiopole", "medsilesia"]),
    ("toutes sauf l'Italie", "fr", ["bioregio_stern", "biowin", "lyonbiopole", "medsilesia"]),
    ("wszystkie oprócz Francji", "pl", ["biopmed", "bioregio_stern", "biowin", "medsilesia"]),
    ("solo la Germania, per adesso", "it", ["bioregio_stern"]),  # "only" takes nothing out of a whole
    ("Italien und Polen, nicht Frankreich", "de", ["biopmed", "medsilesia"]),
])
async def test_regions_named_or_all_but_some(text, language, regions, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "target_regions", "language": language}),
                           dispatcher, domain)
    assert sorted(slots["target_regions"]) == regions


@pytest.mark.parametrize("text, intent, language", [
    ("wait, the company name is wrong", "inform", "en"), ("Moment, da stimmt was nicht", "affirm", "de"),
    ("annulez, j'ai changé d'avis", "stop", "fr"), ("chwileczkę, jest literówka", "affirm", "pl"),
])
async def test_a_wait_or_cancel_at_the_summary_saves_nothing(text, intent, language, dispatcher, domain):
    slots = await run_form(form_tracker(message(text, intent), {"requested_slot": "registration_confirmed",
                                                                "language": language}), dispatcher, domain)
    assert slots.get("registration_confirmed") is not True


@pytest.mark.parametrize("text, language, code", [
    # Capitals and large cities of countries beyond nlu_data/, in each language's spelling.
    ("our lab is in Abidjan", "en", "CI"), ("a small team in Kyoto", "en", "JP"), ("Lahore, Pakistan", "en", "PK"),
    ("Firma in Bamako", "de", "ML"), ("wir sitzen in Tiflis", "de", "GE"), ("Elfenbeinküste", "de", "CI"),
    ("à Ouagadougou", "fr", "BF"), ("au Sénégal, près de Thiès", "fr", "SN"), ("Hanoï", "fr", "VN"),
    ("siamo a Gerusalemme", "it", "IL"), ("Costa d'Avorio", "it", "CI"), ("a Città del Capo", "it", "ZA"),
    ("z Jerozolimy", "pl", "IL"), ("Wybrzeże Kości Słoniowej", "pl", "CI"), ("w Lagosie", "pl", "NG"),
    ("w Kamerunie", "pl", "CM"), ("w Dakarze", "pl", "SN"), ("jesteśmy pod Grazem", "pl", "AT"), ("w Chinach", "pl", "CN"),
    # Smaller towns and regions of the five countries and their neighbours.
    ("just outside Ravensburg", "en", "DE"), ("bei Schwäbisch Hall", "de", "DE"), ("Kanton Aargau", "de", "CH"),
    ("près de Montélimar", "fr", "FR"), ("dans le Valais", "fr", "CH"), ("vicino a Saluzzo", "it", "IT"),
    ("in provincia di Mantova", "it", "IT"), ("pod Raciborzem", "pl", "PL"), ("koło Zakopanego", "pl", "PL"),
    ("une entreprise niçoise", "fr", "FR"),
    # Two neighbouring letters swapped in a name the NLU knows.
    ("Portgual", "en", "PT"), ("Poalnd", "en", "PL"), ("Itlaien", "de", "IT"), ("Fracne", "fr", "FR"),
    ("Gemrania", "it", "DE"), ("Nimecy", "pl", "DE"),
])
def test_a_place_beyond_the_nlu_names_answers_the_country_question(text, language, code):
    assert country_in_answer(text, language) == code


@pytest.mark.parametrize("language, code", [("en", "MC"), ("de", "MC"), ("fr", "MC"), ("pl", "MC"), ("it", "DE")])
def test_a_place_name_is_read_in_the_conversations_language(language, code):
    assert country_in_answer("Monaco", language) == code  # Munich is "Monaco (di Baviera)" in Italian


@pytest.mark.parametrize("text, language", [
    ("je suis seul à gérer ça", "fr"), ("jesteśmy mali, to rodzinna firma", "pl"), ("Chad", "en"),
    ("further details by e-mail", "en"), ("we're a holding company", "en"), ("la sienne est à Paris", "fr"),
    ("I ain't telling", "en"), ("banking software", "en"), ("Kuba", "pl"),
])
def test_everyday_words_name_no_country_of_the_catalogue(text, language):
    found = country_in_answer(text, language)
    assert found is None or found == "FR" and "Paris" in text


@pytest.mark.parametrize("text, start, end, language, code", [
    ("Principato di Monaco", 14, 20, "it", "MC"), ("Monaco", 0, 6, "fr", "MC"), ("Monaco", 0, 6, "it", "DE"),
    ("nous sommes à Monaco", 14, 20, "fr", "MC"),
])
async def test_a_place_the_nlu_found_is_read_as_written_in_the_conversations_language(text, start, end, language,
                                                                                      code, dispatcher, domain):
    # The NLU maps "Monaco" to DE in every language (its entity synonyms know one meaning of a name).
    latest = message(text, entities=[{"entity": "location", "value": "DE", "start": start, "end": end}])
    slots = await run_form(form_tracker(latest, {"requested_slot": "country", "language": language}),
                           dispatcher, domain)
    assert slots["country"] == code


@pytest.mark.parametrize("text, found, language, code", [
    ("HQ in Mailand, Produktion aber in Rumänien", "Rumänien", "de", "IT"),
    ("USA, Boston, ale mamy też biuro w Krakowie", "Krakowie", "pl", "US"),
    ("Paris, and a lab in New York", "New York", "en", "FR"),
])
async def test_the_first_place_named_is_the_companys_country(text, found, language, code, dispatcher, domain):
    start = text.index(found)  # the NLU found the second place only
    latest = message(text, entities=[{"entity": "location", "value": "XX", "start": start, "end": start + len(found)}])
    slots = await run_form(form_tracker(latest, {"requested_slot": "country", "language": language}),
                           dispatcher, domain)
    assert slots["country"] == code


@pytest.mark.parametrize("text, language, code", [("Dakar", "de", "SN"), ("w Dakarze, w Senegalu", "pl", "SN"),
                                                  ("germnay", "en", "DE")])
async def test_a_country_beyond_the_nlu_names_is_accepted(text, language, code, dispatcher, domain):
    slots = await run_form(form_tracker(message(text), {"requested_slot": "country", "language": language}),
                           dispatcher, domain)
    assert slots["country"] == code


def test_the_places_catalogue_agrees_with_the_nlu_names():
    """A catalogue name names no other country than nlu_data/ does; every code is a country's."""
    catalogue = places_catalogue()
    nlu = place_index()
    assert {name: (code, nlu[name]) for name, code in catalogue["countries"].items()
            if name in nlu and nlu[name] != code} == {}
    codes = set(catalogue["countries"].values()) | {code for language in LANGUAGES
                                                    for code in catalogue["languages"][language]["places"].values()}
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert codes <= known_countries() and not codes & catalogue["cldr_left_out"]
