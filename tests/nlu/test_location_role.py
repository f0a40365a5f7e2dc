"""The LocationRoleClassifier: the SME's own place has no role, a region it wants to work with is `target`."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.location_role import LocationRoleClassifier

OWN = ["we are in {}", "we're based in {}", "our company is from {}", "wir sitzen in {}", "nous sommes à {}",
       "siamo a {}", "jesteśmy z {}", "a small team in {}, we make implants"]
TARGET = ["we look for partners in {}", "looking for distributors in {}", "wir suchen Partner in {}",
          "nous cherchons des partenaires en {}", "cerchiamo distributori in {}", "szukamy partnerów w {}",
          "we'd like to sell in {}"]
PLACES = ["Lyon", "Turin", "Stuttgart", "Katowice", "Liège", "Spain", "Bavaria"]


def mention(template: str, place: str, role: str | None = None) -> Message:
    text = template.format(place)
    start = text.index(place)
    entity = {"entity": "location", "start": start, "end": start + len(place), "value": place}
    if role:
        entity["role"] = role
    return Message(data={TEXT: text, ENTITIES: [entity]})


def context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), name)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> LocationRoleClassifier:
    storage, resource = LocalModelStorage(tmp_path_factory.mktemp("model")), Resource("roles")
    examples = [mention(t, p) for t in OWN for p in PLACES] + [mention(t, p, "target") for t in TARGET for p in PLACES]
    LocationRoleClassifier.create({}, storage, resource, context("roles")).train(TrainingData(examples))
    return LocationRoleClassifier.load({}, storage, resource, context("roles"))  # as Rasa loads a model


@pytest.mark.parametrize(("template", "role"), [
    ("we're a startup in {}", None), ("we are located in {}", None),
    ("partners in {} would be great", "target"), ("we are looking for partners in {}", "target"),
])
def test_the_role_comes_from_the_words_around_the_place(classifier, template, role):
    [message] = classifier.process([mention(template, "Graz", role="target" if role is None else None)])
    [entity] = message.get(ENTITIES)
    assert entity.get("role") == role


def test_a_message_with_the_sme_s_place_and_a_target_region_gets_both_right(classifier):
    text = "we are in Stuttgart and we look for partners in Lyon"
    entities = [{"entity": "location", "start": text.index(p), "end": text.index(p) + len(p), "value": p}
                for p in ("Stuttgart", "Lyon")]
    [message] = classifier.process([Message(data={TEXT: text, ENTITIES: entities})])
    assert [e.get("role") for e in message.get(ENTITIES)] == [None, "target"]


def test_without_a_trained_model_roles_are_left_as_extracted(tmp_path):
    loaded = LocationRoleClassifier.load({}, LocalModelStorage(tmp_path), Resource("none"), context("roles"))
    [message] = loaded.process([mention("partners in {}", "Lyon", "target")])
    assert message.get(ENTITIES)[0]["role"] == "target"
