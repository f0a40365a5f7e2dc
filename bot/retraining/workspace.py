"""The project folder that retraining reads and writes: the repository itself by default.

Kept as one object so that tests (and a deployment that keeps its training data
elsewhere, `S3M_TRAINING_DIR`) can point the whole loop at another folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from bot.config import Settings

USER_EXAMPLES_FILE = "from_users.yml"
"""Per language, the examples admins labelled from real messages (in nlu_data/<lang>/)."""
IGNORE = "ignore"
"""The admin's verdict for a message that teaches nothing (noise, a test, a fragment)."""


@dataclass(frozen=True)
class Workspace:
    root: Path
    models_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Workspace:
        return cls(root=settings.training_dir, models_dir=settings.models_dir)

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def nlu_data(self) -> Path:
        return self.root / "nlu_data"

    @property
    def training_data(self) -> list[Path]:
        return [path for path in (self.nlu_data, self.root / "data") if path.exists()]

    @property
    def holdout(self) -> Path:
        """Messages never trained on, one file per language: the yardstick of every candidate."""
        return self.root / "nlu_holdout"

    @cached_property
    def languages(self) -> list[str]:
        return sorted(path.name for path in self.nlu_data.iterdir() if path.is_dir())

    def user_examples(self, language: str) -> Path:
        if language not in self.languages:
            raise ValueError(f"no training data folder for language {language!r}")
        return self.nlu_data / language / USER_EXAMPLES_FILE

    def labels(self) -> list[str]:
        """What an admin may assign: the domain's intents, each FAQ topic, and "ignore"."""
        domain = yaml.safe_load(self.domain.read_text(encoding="utf-8")) or {}
        intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
        topics = sorted(
            "faq/" + name.removeprefix("utter_faq/")
            for name in domain.get("responses", {}) if name.startswith("utter_faq/")
        )
        return [i for i in intents if i != "faq"] + topics + [IGNORE]
