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
