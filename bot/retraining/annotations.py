"""An admin's verdict on an unrecognised message, kept in the database and the training data.

The verdict is recorded once per normalised text (so the message leaves the list), and
unless it is "ignore" the masked text is added to `nlu_data/<lang>/from_users.yml` under
the chosen intent, where the next training run picks it up. A message that repeats one of
`nlu_holdout/` may only be ignored: once trained on, the held-out set could no longer
measure models fairly.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.services.text import fold
from bot.portal.models import User
from bot.retraining.evaluation import load_holdout
from bot.retraining.masking import mask_personal_data
from bot.retraining.models import TrainingAnnotation
from bot.retraining.unrecognised import text_key
from bot.retraining.workspace import IGNORE, Workspace

HEADER = (
    "# Real users' messages that admins labelled in the staff portal (Retraining page or\n"
    "# `python -m bot.retraining annotate`); e-mail addresses and phone numbers are masked.\n"
    "# Written by bot.retraining.annotations; review and edit like any other training data.\n"
)
_file_lock = threading.Lock()


class AnnotationError(ValueError):
    """The verdict cannot be taken (unknown label or language, empty text, judged already,
    or a held-out message to be trained on)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def annotate(
    session: Session, workspace: Workspace, message: str, language: str, label: str, user: User | None
) -> TrainingAnnotation:
    """Record `label` for `message`; the caller commits. Returns the stored annotation."""
    example = " ".join(printable(mask_personal_data(message)).replace("[", "(").replace("]", ")").split())
    if not example:
        raise AnnotationError("empty")
    if label not in workspace.labels():
        raise AnnotationError("unknown_label")
    if language not in workspace.languages:
        raise AnnotationError("unknown_language")
    if label != IGNORE and repeats_held_out(workspace, message):
        raise AnnotationError("held_out")
    annotation = TrainingAnnotation(
        text_key=text_key(message), text=example, language=language, label=label,
        user_id=user.id if user else None,
    )
    session.add(annotation)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise AnnotationError("already_judged") from error
    if label != IGNORE:
        add_example(workspace.user_examples(language), label, example)
    return annotation


def printable(text: str) -> str:
    """The text without control and format characters (DEL, NUL, escape sequences, zero-width
    spaces): YAML refuses some of them, and one such example would stop every later training."""
    return "".join(c if unicodedata.category(c)[0] != "C" else " " if c in "\t\n\r" else "" for c in text)


def repeats_held_out(workspace: Workspace, message: str) -> bool:
    """Compared as `tests/test_training_data.py` compares the repository's data: case,
    diacritics and punctuation aside."""
    key = fold(message)
    return any(fold(text) == key for examples in load_holdout(workspace.holdout).values() for text, _ in examples)


def add_example(path: Path, intent: str, example: str) -> None:
    """Add one example to a Rasa NLU file of this module's format (made if missing)."""
    with _file_lock:
        examples = read_examples(path)
        if example not in examples.setdefault(intent, []):
            examples[intent].append(example)
        write_examples(path, examples)


def read_examples(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        block["intent"]: [line[2:] for line in block.get("examples", "").splitlines() if line.startswith("- ")]
        for block in content.get("nlu") or []
    }


def write_examples(path: Path, examples: dict[str, list[str]]) -> None:
    lines = [HEADER, 'version: "3.1"\n']
    if not any(examples.values()):
        lines.append("nlu: []\n")
    else:
        lines.append("nlu:\n")
        for intent in sorted(examples):
            lines.append(f"- intent: {intent}\n  examples: |\n")
            lines += [f"    - {example}\n" for example in examples[intent]]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.replace(path)
