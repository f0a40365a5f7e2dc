"""How well a model understands the held-out messages, per language, and whether a candidate is worse.

The held-out set (`nlu_holdout/<lang>.yml`) was written apart from the training data and
is never trained on, so the active model and a candidate are measured on equal terms.
A FAQ question counts as right only with the right topic (`faq/cost`, not just `faq`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping

from bot.config import PROJECT_ROOT

Scores = dict[str, float]
Labelled = dict[str, list[tuple[str, str]]]  # language -> [(text, intent)]


def load_holdout(folder: Path) -> Labelled:
    """The held-out messages per language (file name = language code)."""
    from rasa.shared.nlu.training_data.loading import load_data

    holdout: Labelled = {}
    for path in sorted(folder.glob("*.yml")):
        data = load_data(str(path))
        holdout[path.stem] = [
            (m.get("text"), m.get("intent_response_key") or m.get("intent")) for m in data.intent_examples
        ]
    return holdout


def label_of(parsed: Mapping) -> str:
    """The intent of a parse result, with the FAQ topic that the response selector chose."""
    label = (parsed.get("intent") or {}).get("name") or ""
    if label == "faq":
        selected = (parsed.get("response_selector") or {}).get("faq") or {}
        label = (selected.get("response") or {}).get("intent_response_key") or label
    return label


def scores(truth: list[str], predicted: list[str]) -> Scores:
    """Accuracy and macro-F1 (over the held-out intents) in %, and the number of messages."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": round(100 * accuracy_score(truth, predicted), 2),
        "macro_f1": round(100 * f1_score(truth, predicted, average="macro", labels=sorted(set(truth)),
                                         zero_division=0), 2),
        "n": len(truth),
    }


def evaluate(holdout: Labelled, parse: Callable[[dict[str, list[str]]], dict[str, list[str]]]) -> dict[str, Scores]:
    """Scores per language; `parse` maps {language: texts} to {language: predicted labels}."""
    predicted = parse({language: [text for text, _ in examples] for language, examples in holdout.items()})
    return {
        language: scores([intent for _, intent in examples], predicted[language])
        for language, examples in holdout.items()
    }


def parse_with_model_file(model: Path | str, tests: dict[str, list[str]]) -> dict:
    """Load a model in a fresh process and parse `tests` there (bot.retraining.parse_worker).

    A fresh process keeps the model's memory out of the caller (the portal) and measures it.
    """
    from bot.training import rasa_environment

    payload = json.dumps({"model": str(model), "tests": tests})
    result = subprocess.run(
        [sys.executable, "-m", "bot.retraining.parse_worker"], input=payload, capture_output=True,
        text=True, cwd=PROJECT_ROOT, env=rasa_environment(),
    )
    if result.returncode:
        raise RuntimeError(f"parsing with {model} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def worse_languages(candidate: dict[str, Scores], active: dict[str, Scores]) -> list[str]:
    """Languages where the candidate's accuracy is below the active model's."""
    return sorted(
        language for language, figures in candidate.items()
        if language in active and figures["accuracy"] < active[language]["accuracy"]
    )
