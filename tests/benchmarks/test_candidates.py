"""Benchmark candidates are edits of config.yml: each applies to today's pipeline, and only where it says."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from benchmarks.candidates import CandidateError, apply_edits, write_candidate_config
from bot.config import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config.yml"
CANDIDATES = sorted((PROJECT_ROOT / "benchmarks" / "configs").glob("*.yml"))

PIPELINE = {"language": "xx", "pipeline": [
    {"name": "WhitespaceTokenizer"},
    {"name": "CountVectorsFeaturizer", "max_features": 5000},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "max_features": 10000},
    {"name": "ResponseSelector", "epochs": 40, "dense_dimension": {"text": 128}},
], "policies": [{"name": "RulePolicy"}]}


def names(config: dict) -> list[str]:
    return [component["name"] for component in config["pipeline"]]


@pytest.mark.parametrize("candidate", CANDIDATES, ids=[path.stem for path in CANDIDATES])
def test_each_shipped_candidate_applies_to_config_yml_and_changes_only_its_pipeline(candidate: Path, tmp_path: Path):
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    written = yaml.safe_load(write_candidate_config(candidate, CONFIG, tmp_path).read_text(encoding="utf-8"))
    assert written["pipeline"] != config["pipeline"]
    assert {k: v for k, v in written.items() if k != "pipeline"} == {k: v for k, v in config.items() if k != "pipeline"}
    for name in names(written):
        if "." in name:  # our own components must be importable where the candidate names them
            module, _, cls = name.rpartition(".")
            assert hasattr(importlib.import_module(module), cls), name


def test_set_changes_settings_and_null_restores_rasas_default():
    edited = apply_edits(PIPELINE, {"edits": [
        {"match": {"name": "ResponseSelector"}, "set": {"epochs": 100, "dense_dimension": None}}]})
    assert edited["pipeline"][3] == {"name": "ResponseSelector", "epochs": 100}
    assert PIPELINE["pipeline"][3]["dense_dimension"] == {"text": 128}  # the base is left as it was


def test_null_in_match_means_the_setting_is_absent():
    edited = apply_edits(PIPELINE, {"edits": [
        {"match": {"name": "CountVectorsFeaturizer", "analyzer": None}, "set": {"max_features": 3000}},
        {"match": {"name": "CountVectorsFeaturizer", "analyzer": "char_wb"}, "remove": True}]})
    assert edited["pipeline"][1:] == [
        {"name": "CountVectorsFeaturizer", "max_features": 3000},
        {"name": "ResponseSelector", "epochs": 40, "dense_dimension": {"text": 128}}]


def test_replace_puts_the_components_in_place_of_the_matched_one():
    edited = apply_edits(PIPELINE, {"edits": [{"match": {"name": "WhitespaceTokenizer"},
                                               "replace": [{"name": "SpacyNLP", "model": "blank:xx"},
                                                           {"name": "SpacyTokenizer"}]}]})
    assert names(edited) == ["SpacyNLP", "SpacyTokenizer", "CountVectorsFeaturizer", "CountVectorsFeaturizer",
                             "ResponseSelector"]


@pytest.mark.parametrize("edit", [
    {"match": {"name": "CountVectorsFeaturizer"}, "remove": True},  # two components match
    {"match": {"name": "DIETClassifier"}, "set": {"epochs": 1}},  # none matches: config.yml changed under it
    {"match": {"name": "WhitespaceTokenizer"}},  # no operation
    {"match": {"name": "WhitespaceTokenizer"}, "remove": True, "set": {"x": 1}},  # two operations
    {"match": {"name": "WhitespaceTokenizer"}, "remove": False},
    {"match": {"name": "WhitespaceTokenizer"}, "drop": True},  # a misspelt operation
])
def test_an_edit_that_does_not_match_exactly_one_component_stops_the_benchmark(edit):
    with pytest.raises(CandidateError):
        apply_edits(PIPELINE, {"edits": [edit]})
