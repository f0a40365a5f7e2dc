"""Train a model only when the training inputs changed.

A model is named by a hash of everything that shapes it (config, domain, stories,
rules, NLU data, our NLU components' code and the Rasa version), so `make run`, `make test` and the test
session reuse one model until the data changes.

Usage: ``python -m bot.training`` prints the path of the current model, training
it first if needed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

from bot.config import PROJECT_ROOT

MODEL_PREFIX = "s3martmed-"


def training_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    """Files that determine the model, in a stable order.

    Our NLU components' code is one of them: what they learn depends on it.
    """
    files = [root / "config.yml", root / "domain.yml"]
    for folder in ("data", "nlu_data"):
        files += sorted(p for p in (root / folder).rglob("*.yml") if p.is_file())
    files += sorted(p for p in (root / "bot" / "nlu").glob("*.py") if p.is_file())
    return files


def fingerprint(files: Iterable[Path], root: Path = PROJECT_ROOT) -> str:
    """Hash of the files' names and contents and of the Rasa version."""
    from rasa import __version__ as rasa_version

    digest = hashlib.sha256(rasa_version.encode())
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current training inputs is (or will be) stored."""
    return models_dir / f"{MODEL_PREFIX}{fingerprint(training_inputs(root), root)}.tar.gz"


def rasa_environment() -> dict[str, str]:
    """Environment for Rasa subprocesses: no telemetry (it stalls without internet)."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def training_environment() -> dict[str, str]:
    """A training of its own (`make train`, before `make run` starts anything) embeds its examples on
    every core: the sentence encoder is most of its time, and one thread (the default, so that a
    running assistant's processes do not compete) doubles it on two cores (docs/benchmark.md)."""
    env = rasa_environment()
    cores = str(os.cpu_count() or 1)
    env.setdefault("S3M_ENCODER_THREADS", cores)
    env.setdefault("OMP_NUM_THREADS", env["S3M_ENCODER_THREADS"])
    return env


def train_command(output: Path, config: Path, data: Sequence[Path], domain: Path, validate: bool = True) -> list[str]:
    """The `rasa train` command line that writes the model to `output` (its folder is made).
    `validate` False: Rasa's check of the data before training is left to `make validate`, which
    fails on any warning (the check only logs them here, and took about 30 s of a 2-core training)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable, "-m", "rasa", "train",
        "--config", str(config), "--domain", str(domain),
        "--data", *map(str, data),
        "--out", str(output.parent),
        "--fixed-model-name", output.name.removesuffix(".tar.gz"),
        *([] if validate else ["--skip-validation"]),
    ]


def train(
    output: Path,
    config: Path = PROJECT_ROOT / "config.yml",
    data: Sequence[Path] = (PROJECT_ROOT / "nlu_data", PROJECT_ROOT / "data"),
    domain: Path = PROJECT_ROOT / "domain.yml",
) -> Path:
    """Run `rasa train` (Rasa shows its progress bars) and return the model file. The project's data
    is checked by `make validate`; an admin's retraining (bot/retraining/runs.py) is checked here."""
    started = time.monotonic()
    subprocess.run(train_command(output, config, data, domain, validate=False), check=True, cwd=PROJECT_ROOT,
                   env=training_environment())
    print(f"Trained {output.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return output


def ensure_model(models_dir: Path) -> Path:
    """Return the model for the current training data, training it if there is none."""
    path = model_path(models_dir)
    if path.exists():
        print(f"Model {path.name} is up to date.", file=sys.stderr)
        return path
    print(f"Training data changed or no model yet: training {path.name} ...", file=sys.stderr)
    return train(path)


def main() -> None:
    from bot.config import load_settings

    print(ensure_model(load_settings().models_dir))


if __name__ == "__main__":
    main()
