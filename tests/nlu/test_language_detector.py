"""The LanguageDetector graph component, trained on the real nlu_data/."""

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.config import PROJECT_ROOT
from bot.definitions import DETECTION_KEY
from bot.nlu.language_detector import LanguageDetector


def configured() -> dict:
    """The component's settings in config.yml, as the trained model gets them."""
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    step = next(step for step in pipeline if step["name"].endswith("LanguageDetector"))
    return {**LanguageDetector.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}


CONFIG = configured()


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("storage"))


@pytest.fixture(scope="module")
def detector(storage):
    """Train on the real data, then load from storage as Rasa does at run time."""
    resource = Resource("language_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    trained = LanguageDetector.create(CONFIG, storage, resource, context)
    trained.train(load_data(str(PROJECT_ROOT / "nlu_data")))
    return LanguageDetector.load(CONFIG, storage, resource, context)


SLOTS = Domain.load(str(PROJECT_ROOT / "domain.yml")).slots


def run(detector, text, intent=None, entities=None, metadata=None, tracker=None):
    message = Message(data={"text": text, "metadata": metadata or {}})
    if intent:
        message.set("intent", {"name": intent, "confidence": 0.9})
    if entities is not None:
        message.set("entities", entities)
    detector.process([message], tracker)
    return message


def conversation(language=None, previous_hint=None):
    """A conversation's tracker before its next message: the language so far and the previous hint."""
    events = [ActionExecuted("action_listen")]
    if previous_hint:
        events.append(UserUttered("…", parse_data={DETECTION_KEY: {"hint": previous_hint}}))
    if language:
        events.append(SlotSet("language", language))
    return DialogueStateTracker.from_events("sme", events, slots=SLOTS)


def language_entities(message):
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == "language"]


@pytest.mark.parametrize(
    "text, language",
    [
        ("Wir sind ein kleines Medizintechnik-Unternehmen aus Ulm und suchen einen Vertriebspartner", "de"),
        ("nous aimerions rencontrer un centre technologique pour tester notre prototype", "fr"),
        ("vorremmo sapere se ci sono eventi di matchmaking il prossimo mese", "it"),
        ("szukamy partnera do badań klinicznych naszego urządzenia", "pl"),
        ("we are looking for a distributor for our diagnostic kits in Belgium", "en"),
        ("wie lange lauft das projekt noch", "de"),
        ("ca coute combien de participer", "fr"),
        ("czy mozemy sie zarejestrowac", "pl"),
    ],
)
def test_long_messages_are_detected_reliably(detector, text, language):
    report = run(detector, text).get(DETECTION_KEY)
    assert report["reliable"] and report["language"] == language and report["supported"]


@pytest.mark.parametrize("text", ["ok", "yes", "jan.kowalski@medtech.pl", "40", "Medisens GmbH", "👍", ""])
def test_short_or_neutral_messages_are_not_reliable(detector, text):
    report = run(detector, text).get(DETECTION_KEY)
    assert not report["reliable"]


@pytest.mark.parametrize(
    "text, language",
    [("Hallo", "de"), ("Bonjour", "fr"), ("Buongiorno", "it"), ("Cześć", "pl"), ("Dzień dobry", "pl"),
     ("Guten Tag", "de"), ("Merci", "fr"), ("Grazie", "it"), ("Danke", "de")],
)
def test_short_greetings_give_a_guess(detector, text, language):
    assert run(detector, text).get(DETECTION_KEY)["guess"] == language


def test_words_used_everywhere_give_no_guess(detector):
    assert run(detector, "ok").get(DETECTION_KEY)["guess"] is None


def test_unsupported_language_becomes_fallback(detector):
    message = run(detector, "Hola, quiero registrar mi empresa en el proyecto", intent="register_interest")
    report = message.get(DETECTION_KEY)
    assert report["language"] == "es" and report["supported"] is False and report["reliable"]
    assert message.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["on est huit", "on s'appelle Wallmed", "quando scade l'IMU?",
                                  "Naa, des passt ned", "no cheers, I'm ok"])
def test_short_messages_of_ours_are_not_taken_for_a_language_we_do_not_speak(detector, text):
    """They would get the "we speak five languages" answer instead of one to what they said."""
    report = run(detector, text).get(DETECTION_KEY)
    assert report["supported"] or not report["reliable"]


def test_language_command_is_an_explicit_request(detector):
    message = run(detector, "/language de", intent="inform")
    assert message.get("intent")["name"] == "change_language"
    assert [e["value"] for e in message.get("entities")] == ["de"]
    assert message.get(DETECTION_KEY)["requested"] == "de"


def test_requested_language_comes_from_the_entity(detector):
    entities = [{"entity": "language", "value": "fr", "start": 20, "end": 28}]
    message = run(detector, "Können wir auf Französisch weitermachen?", "change_language", entities)
    assert message.get(DETECTION_KEY)["requested"] == "fr"


def test_unsupported_language_entity_is_dropped(detector):
    entities = [{"entity": "language", "value": "Spanisch", "start": 4, "end": 12},
                {"entity": "company_name", "value": "Medisens", "start": 0, "end": 3}]
    message = run(detector, "auf Spanisch bitte", "change_language", entities)
    assert [e["entity"] for e in message.get("entities")] == ["company_name"]
    assert message.get(DETECTION_KEY)["requested"] is None


def test_language_entity_outside_change_language_is_no_request(detector):
    entities = [{"entity": "language", "value": "de", "start": 0, "end": 7}]
    message = run(detector, "Deutsch ist unsere Firmensprache", "inform", entities)
    assert message.get(DETECTION_KEY)["requested"] is None
    assert language_entities(message) == []  # it would fill the `language` slot


@pytest.mark.parametrize("current, text, metadata, expected", [
    (None, "Bonjour", {}, ["fr"]),                                          # first message: a guess
    (None, "ok", {"language": "it-IT"}, ["it"]),                            # first message: the channel's hint
    (None, "ok", {}, ["en"]),                                               # no sign at all
    ("en", "Wir suchen einen Vertriebspartner in Frankreich für unsere Geräte", {}, ["de"]),
    ("de", "ok", {}, []),                                                   # stays put
    ("de", "Medisens GmbH", {}, []),
    ("pl", "jan.kowalski@medtech.pl", {"language": "pl"}, []),
    ("it", "Hola, quiero registrar mi empresa en el proyecto", {}, ["en"]),  # the answer listing our languages
])
def test_in_a_conversation_a_change_of_language_becomes_the_language_entity(
        detector, current, text, metadata, expected):
    message = run(detector, text, metadata=metadata, tracker=conversation(current))
    assert language_entities(message) == expected


def test_an_explicit_request_keeps_its_own_entity(detector):
    entities = [{"entity": "language", "value": "pl", "start": 9, "end": 17}]
    message = run(detector, "możemy po polsku?", "change_language", entities, tracker=conversation("pl"))
    assert message.get("entities") == entities


def test_a_steady_channel_hint_does_not_undo_a_switch(detector):
    """Telegram sends the user's app language with every message; only a new or changed one counts."""
    steady = run(detector, "ok", metadata={"language": "fr"}, tracker=conversation("de", previous_hint="fr"))
    assert language_entities(steady) == []
    changed = run(detector, "ok", metadata={"language": "it"}, tracker=conversation("de", previous_hint="fr"))
    assert language_entities(changed) == ["it"]


def test_the_parse_api_outside_a_conversation_sets_no_language(detector):
    empty = DialogueStateTracker.from_events("parse", [])
    assert language_entities(run(detector, "Bonjour tout le monde", tracker=empty)) == []


def test_channel_hint_is_reported(detector):
    report = run(detector, "ok", metadata={"language": "de-DE"}).get(DETECTION_KEY)
    assert report["hint"] == "de"
    assert run(detector, "ok", metadata={"language": "es"}).get(DETECTION_KEY)["hint"] is None


@pytest.mark.parametrize("text, language", [
    ("qui compose l'Investment Advisory Group ?", "fr"),
    ("il Working Group of Regional Authorities cosa fa di preciso?", "it"),
    ("co robi Investment Advisory Group?", "pl"),
])
def test_the_projects_english_names_do_not_make_a_message_english(detector, text, language):
    report = run(detector, text).get(DETECTION_KEY)
    assert report["language"] == language or not report["reliable"], report


def test_words_of_our_training_data_outweigh_a_foreign_screen(detector):
    report = run(detector, "fajrant na dziś, do jutra").get(DETECTION_KEY)
    assert report["supported"] is not False, report  # Silesian-flavoured Polish is not Hungarian
