"""The form's phrases are embedded once and kept in var/cache: `make train` and the launcher fill
it before the action server starts, so that no SME waits for it at the first form answer."""

from __future__ import annotations

import numpy as np
import pytest

from actions.services import meaning
from bot.config import load_settings
from bot.launcher import process_commands


def test_stored_vectors_are_read_back_without_embedding_again(tmp_path, monkeypatch):
    monkeypatch.setattr(meaning, "CACHE_DIR", tmp_path)
    texts = ["we make hearing aids", "a lab for genetic tests"]
    stored = meaning._cached_vectors(texts)
    assert len(list(tmp_path.glob("answer-meanings-*.npy"))) == 1

    def no_embedding(_texts):
        raise AssertionError("embedded again")
    monkeypatch.setattr(meaning.sentence_encoder, "embed", no_embedding)
    assert np.array_equal(meaning._cached_vectors(texts), stored)
    with pytest.raises(AssertionError, match="embedded again"):  # other phrases: a new entry
        meaning._cached_vectors(texts + ["a telemedicine app"])


def test_the_launcher_embeds_the_phrases_before_starting_the_action_server():
    command = process_commands(load_settings(), "model.tar.gz")["actions"]
    warm_up, server = command.split("&&")
    assert "-m actions.services.meaning" in warm_up and "-m rasa_sdk --actions actions" in server


def test_the_fitted_classifier_is_stored_and_predicts_as_scikit_learn_does(tmp_path, monkeypatch):
    from sklearn.linear_model import LogisticRegression

    monkeypatch.setattr(meaning, "CACHE_DIR", tmp_path)
    rows = np.random.default_rng(7).normal(size=(30, 8))
    question = (["devices"] * 10 + ["diagnostics"] * 10, rows[:20])
    no_value = [(["hard to say"] * 10, rows[20:])]
    fitted = meaning._classifier(question, no_value)
    assert len(list(tmp_path.glob("answer-classifier-*.npz"))) == 1

    reference = LogisticRegression(C=meaning.CLASSIFIER_C, max_iter=2000).fit(
        rows, question[0] + [meaning.UNCLEAR] * 10)
    for row in rows[:5]:
        assert np.allclose(fitted.likelihoods(row), reference.predict_proba(row.reshape(1, -1))[0])

    monkeypatch.setattr(LogisticRegression, "fit", lambda *_: pytest.fail("fitted again"))
    stored = meaning._classifier(question, no_value)
    assert list(stored.classes) == list(fitted.classes) and np.array_equal(stored.coefficients, fitted.coefficients)
