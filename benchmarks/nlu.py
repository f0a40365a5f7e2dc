"""Measure the NLU: one multilingual model against five single-language models.

Splits each language's data into a training and a held-out part (stratified by
intent, fixed seed), trains on the training part only, and reports per language:
intent accuracy and macro-F1 on the held-out part, language-ID accuracy on its
messages of 3 to 12 words, training time, model size and resident memory.
Every model is also scored on `nlu_holdout/`, messages the language writers wrote apart
from the training data (the set the admins' retraining page compares models on), and the
one-model pipelines on the writers' free-text answers to the registration's questions
(benchmarks.form_answers).
Extra pipelines to compare (`--config`, edits of config.yml: benchmarks.candidates) are trained
and scored the same way.

Writes results/nlu-benchmark.json and docs/nlu-benchmark.md.

Usage: python -m benchmarks.nlu [--config benchmarks/configs/X.yml ...] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from benchmarks.candidates import write_candidate_config
from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES
from bot.retraining.evaluation import load_holdout, parse_with_model_file
from bot.retraining.evaluation import scores as intent_scores
from bot.training import rasa_environment

RESULTS = PROJECT_ROOT / "results"
UNSUPPORTED = Path(__file__).parent / "data" / "unsupported_languages.tsv"
TEST_SHARE = 0.2
SEED = 42


def load_examples(language: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Intent examples of one language (with entity markup kept) and its other NLU blocks."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "nlu_data" / language))
    examples = []
    for message in data.intent_examples:
        examples.append({
            "label": message.get("intent_response_key") or message.get("intent"),
            "text": message.get("text"),
            "markup": _markup(message),
        })
    return examples, {"synonyms": data.entity_synonyms, "lookups": data.lookup_tables}


def _markup(message: Any) -> str:
    """Rasa's YAML markup of an example, so entity annotations survive the split."""
    text = message.get("text")
    out, position = [], 0
    for entity in sorted(message.get("entities") or [], key=lambda e: e["start"]):
        out.append(text[position:entity["start"]])
        surface = text[entity["start"]:entity["end"]]
        spec: dict[str, Any] = {"entity": entity["entity"]}
        if entity.get("value") not in (None, surface):
            spec["value"] = entity["value"]
        if entity.get("role"):
            spec["role"] = entity["role"]
        out.append(f"[{surface}]" + (json.dumps(spec, ensure_ascii=False) if len(spec) > 1 else f"({entity['entity']})"))
        position = entity["end"]
    out.append(text[position:])
    return "".join(out)


def split(examples: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Stratified split: about TEST_SHARE of each intent's examples are held out."""
    by_label: dict[str, list[dict]] = defaultdict(list)
    for example in examples:
        by_label[example["label"]].append(example)
    rng = random.Random(SEED)
    train, test = [], []
    for label in sorted(by_label):
        items = sorted(by_label[label], key=lambda e: e["text"])
        rng.shuffle(items)
        cut = max(1, round(len(items) * TEST_SHARE))
        test += items[:cut]
        train += items[cut:]
    return train, test


def write_nlu(path: Path, examples: list[dict], extras: dict[str, Any]) -> None:
    """Write a Rasa NLU YAML file of the given examples, synonyms and lookup tables."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_label[example["label"]].append(example["markup"])
    nlu: list[dict[str, Any]] = [
        {"intent": label, "examples": "".join(f"- {m}\n" for m in items)}
        for label, items in sorted(by_label.items())
    ]
    synonyms: dict[str, list[str]] = defaultdict(list)
    for name, value in extras["synonyms"].items():
        synonyms[value].append(name)
    nlu += [{"synonym": v, "examples": "".join(f"- {n}\n" for n in ns)} for v, ns in synonyms.items()]
    nlu += [{"lookup": t["name"], "examples": "".join(f"- {e}\n" for e in t["elements"])}
            for t in extras["lookups"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False))


def materialise_blank_spacy(config_path: Path, work: Path) -> Path:
    """Rasa's SpacyNLP needs a model on disk; a `blank:<lang>` model is saved there first.

    spaCy's blank pipelines ship with the spacy package, so nothing is downloaded.
    """
    import spacy

    config = yaml.safe_load(config_path.read_text())
    changed = False
    for component in config["pipeline"]:
        model = str(component.get("model", ""))
        if component["name"] == "SpacyNLP" and model.startswith("blank:"):
            target = work / f"spacy-{model[6:]}"
            if not target.exists():
                spacy.blank(model[6:]).to_disk(target)
            component["model"] = str(target)
            changed = True
    if not changed:
        return config_path
    out = work / f"{config_path.stem}.yml"
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def single_language_config(config_path: Path, language: str, out: Path) -> Path:
    """Rasa's recommended set-up: the same pipeline as one model per language."""
    config = yaml.safe_load(config_path.read_text())
    config["language"] = language
    config["pipeline"] = [c for c in config["pipeline"] if not c["name"].endswith("LanguageDetector")]
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def train_nlu(config: Path, data: Path, out: Path, name: str) -> dict[str, Any]:
    """Train an NLU model on a file or directory of training data; Rasa's errors are shown."""
    started = time.monotonic()
    command = [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config),
               "--nlu", str(data), "--out", str(out), "--fixed-model-name", name]
    # Rasa's training cache would hand one candidate the components another trained
    # (same settings, same data): each is trained from scratch, so its time is its own.
    env = {**rasa_environment(), "RASA_MAX_CACHE_SIZE": "0"}
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode:
        sys.exit(f"training {name} failed:\n{result.stderr[-3000:]}")
    model = out / f"{name}.tar.gz"
    return {"model": str(model), "train_seconds": round(time.monotonic() - started, 1),
            "size_mb": round(model.stat().st_size / 2**20, 1)}


def writers_holdout() -> dict[str, list[dict]]:
    """nlu_holdout/<lang>.yml as {language: [{"text", "label"}]}."""
    return {language: [{"text": text, "label": label} for text, label in examples]
            for language, examples in load_holdout(PROJECT_ROOT / "nlu_holdout").items()}


def evaluate(model: str, tests: dict[str, list[dict]], writers: dict[str, list[dict]]) -> dict[str, Any]:
    """Parse the split's held-out messages and the writers' held-out set in a fresh process
    (so its memory is the model's); `writers` may hold fewer languages than `tests`."""
    sets = {**tests, **{f"writers:{language}": examples for language, examples in writers.items()}}
    parsed = parse_with_model_file(model, {k: [e["text"] for e in v] for k, v in sets.items()})
    all_scores = {
        name: intent_scores([e["label"] for e in examples], parsed["labels"][name])
        for name, examples in sets.items()
    }
    scores = {name: figures for name, figures in all_scores.items() if not name.startswith("writers:")}
    writer_scores = {name.removeprefix("writers:"): figures for name, figures in all_scores.items()
                     if name.startswith("writers:")}
    return {"scores": scores, "writers_scores": writer_scores, "rss_mb": parsed["rss_mb"], "ms_per_message": parsed["ms_per_message"]}


def trained_detector(trains: dict[str, list[dict]]) -> Any:
    """Our LanguageDetector with config.yml's settings, trained on the training split."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.language_detector import LanguageDetector

    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    settings = next(c for c in config["pipeline"] if c["name"].endswith("LanguageDetector"))
    settings = {**LanguageDetector.get_default_config(), **{k: v for k, v in settings.items() if k != "name"}}
    with tempfile.TemporaryDirectory() as tmp:
        detector = LanguageDetector.create(settings, LocalModelStorage(Path(tmp)), Resource("lid"),
                                           ExecutionContext(GraphSchema({}), "bench"))
        detector.train(TrainingData([Message(data={"text": e["text"], "intent": e["label"]})
                                     for examples in trains.values() for e in examples]))
    return detector


def language_id(detector: Any, tests: dict[str, list[dict]]) -> dict[str, Any]:
    """Accuracy of our detector and of plain langid on held-out messages of 3 to 12 words."""
    from langid.langid import LanguageIdentifier, model

    from bot.nlu.language_detector import words_of

    langid = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    langid.set_languages(list(LANGUAGES))
    out: dict[str, Any] = {}
    for language, examples in tests.items():
        short = [e["text"] for e in examples if 3 <= len(words_of(e["text"])) <= 12]
        reports = [detector.detect(t) for t in short]
        out[language] = {
            "n": len(short),
            "detector_accuracy": round(100 * sum(r.language == language for r in reports) / len(short), 2),
            "reliable_and_right": round(100 * sum(r.reliable and r.language == language for r in reports) / len(short), 2),
            "reliable_but_wrong": sum(r.reliable and r.language != language for r in reports),
            "langid_accuracy": round(100 * sum(langid.classify(t)[0] == language for t in short) / len(short), 2),
        }
    return out


def unsupported_recognition(detector: Any) -> dict[str, Any]:
    """How many messages in languages we do not speak are recognised as such (and answered
    with the list of our languages) rather than taken for one of ours."""
    rows = [line.split("\t", 1) for line in UNSUPPORTED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    recognised = sum(detector.detect(text).in_unsupported_language for _, text in rows)
    return {"n": len(rows), "recognised": recognised, "percent": round(100 * recognised / len(rows), 1)}


def form_answers(model: Path | str, blind: bool = False) -> dict[str, Any]:
    """The writers' free-text form answers through this model and the form (benchmarks.form_answers),
    in a fresh process like every other measurement of a model."""
    result = subprocess.run([sys.executable, "-m", "benchmarks.form_answers", "--model", str(model),
                             *(["--blind"] if blind else [])],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, env=rasa_environment())
    if result.returncode:
        raise RuntimeError(f"form answers with {model} failed: {result.stderr[-2000:]}")
    return json.loads((RESULTS / ("form-answers-blind.json" if blind else "form-answers.json")).read_text())["accuracy"]


def form_answers_markdown(systems: dict[str, Any]) -> list[str]:
    from benchmarks.form_answers import QUESTIONS

    lines = ["", "## Free-text answers to the registration's questions: understood (%)", "",
             "Native writers' answers, written apart from the training data, parsed by the model and read by the "
             "form's validation action (`python -m benchmarks.form_answers [--set dev2|dev3] --misses` lists "
             "what was missed). `benchmarks/data/form_answers/` (187 answers per language) was read while the "
             "form's phrases were written, so its figures flatter the form, as do `form_answers_dev2/`'s; "
             "`form_answers_blind/` (87 per language) was never looked at (`--set blind` keeps no misses).", ""]
    for name, system in systems.items():
        for key, title in (("form_answers", "first set"), ("form_answers_blind", "blind set")):
            table = system.get(key)
            if table:
                lines += form_answers_table(f"{name}, {title}", table, QUESTIONS)
    return lines


def form_answers_table(title: str, table: dict[str, Any], questions: list[str]) -> list[str]:
    lines = [f"**{title}**", "", "| question | " + " | ".join(LANGUAGES) + " |", "|---" * (len(LANGUAGES) + 1) + "|"]
    lines += [f"| {question} | " + " | ".join(f"{table[question][language]:.1f}" for language in LANGUAGES) + " |"
              for question in questions if question in table]
    return lines + [""]


def markdown(report: dict[str, Any]) -> str:
    lines = ["# NLU benchmark", "",
             f"Generated by `make bench-nlu` on {report['date']}: stratified {int(100 * (1 - TEST_SHARE))}/"
             f"{int(100 * TEST_SHARE)} split per language (seed {SEED}); scores on the held-out part only.", ""]
    systems = list(report["systems"])
    lines += ["## Intent accuracy / macro-F1 (%) per language", "",
              "| language | " + " | ".join(systems) + " |", "|---" * (len(systems) + 1) + "|"]
    for language in LANGUAGES:
        cells = [f"{s['scores'][language]['accuracy']:.1f} / {s['scores'][language]['macro_f1']:.1f}"
                 for s in report["systems"].values()]
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    lines += ["", "## Intent accuracy / macro-F1 (%) on the writers' held-out set (nlu_holdout/)", "",
              "Messages written apart from the training data, 7 per intent and language; no model saw them.", "",
              "| language | " + " | ".join(systems) + " |", "|---" * (len(systems) + 1) + "|"]
    for language in LANGUAGES:
        cells = [f"{s['writers_scores'][language]['accuracy']:.1f} / {s['writers_scores'][language]['macro_f1']:.1f}"
                 if language in s.get("writers_scores", {}) else "–" for s in report["systems"].values()]
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    lines += ["", "## Cost", "", "| system | training (s) | model size (MB) | resident memory (MB) | ms per message |",
              "|---|---|---|---|---|"]
    for name, s in report["systems"].items():
        lines.append(f"| {name} | {s['train_seconds']} | {s['size_mb']} | {s['rss_mb']} | {s['ms_per_message']} |")
    lines += form_answers_markdown(report["systems"])
    for key, title in (("language_id", "held-out messages"), ("language_id_writers", "the writers' held-out set")):
        lines += ["", f"## Language identification on {title} of 3 to 12 words (%)", "",
                  "| language | n | our detector | reliable and right | reliable but wrong (would flip) | plain langid |",
                  "|---|---|---|---|---|---|"]
        for language, r in report.get(key, {}).items():
            lines.append(f"| {language} | {r['n']} | {r['detector_accuracy']} | {r['reliable_and_right']} | "
                         f"{r['reliable_but_wrong']} | {r['langid_accuracy']} |")
    if "unsupported_languages" in report:
        r = report["unsupported_languages"]
        lines += ["", "## Messages in languages we do not speak", "",
                  f"Recognised as such (answered with the list of our five languages): {r['recognised']} of "
                  f"{r['n']} ({r['percent']} %; `benchmarks/data/unsupported_languages.tsv`)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", action="append", default=[], type=Path,
                        help="another pipeline to compare: edits of config.yml (benchmarks/candidates.py), "
                             "trained as one model for five languages")
    parser.add_argument("--no-single", action="store_true", help="skip the five single-language models")
    parser.add_argument("--language-id-only", action="store_true", help="only measure language identification")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-nlu-"))
    train_files, trains, tests = {}, {}, {}
    for language in LANGUAGES:
        examples, extras = load_examples(language)
        train, test = split(examples)
        write_nlu(work / "data" / language / "nlu.yml", train, extras)
        train_files[language] = work / "data" / language / "nlu.yml"
        trains[language], tests[language] = train, test
        print(f"{language}: {len(train)} training, {len(test)} held-out examples", file=sys.stderr)

    writers = writers_holdout()
    if args.language_id_only:
        detector = trained_detector(trains)
        print(json.dumps({"split": language_id(detector, tests), "writers": language_id(detector, writers),
                          "unsupported": unsupported_recognition(detector)}, indent=2))
        return

    systems: dict[str, Any] = {}
    base = PROJECT_ROOT / "config.yml"
    for config in [base, *(write_candidate_config(path, base, work / "candidates") for path in args.config)]:
        name = "one model" if config == base else f"one model ({config.stem})"
        print(f"training {name} ...", file=sys.stderr)
        trained = train_nlu(materialise_blank_spacy(config, work), work / "data", work / "models", config.stem)
        systems[name] = {**trained, **evaluate(trained["model"], tests, writers),
                         "form_answers": form_answers(trained["model"]),
                         "form_answers_blind": form_answers(trained["model"], blind=True)}
        print(json.dumps({name: systems[name]["scores"]}), file=sys.stderr)

    if not args.no_single:
        single: dict[str, Any] = {"scores": {}, "writers_scores": {}, "train_seconds": 0.0, "size_mb": 0.0, "rss_mb": 0.0,
                                  "ms_per_message": 0.0}
        for language in LANGUAGES:
            print(f"training single-language model {language} ...", file=sys.stderr)
            config = single_language_config(PROJECT_ROOT / "config.yml", language, work / f"config-{language}.yml")
            trained = train_nlu(config, train_files[language], work / "models", f"single-{language}")
            evaluated = evaluate(trained["model"], {language: tests[language]},
                                 {language: writers[language]} if language in writers else {})
            single["scores"][language] = evaluated["scores"][language]
            single["writers_scores"].update(evaluated["writers_scores"])
            single["train_seconds"] = round(single["train_seconds"] + trained["train_seconds"], 1)
            single["size_mb"] = round(single["size_mb"] + trained["size_mb"], 1)
            single["rss_mb"] = round(single["rss_mb"] + evaluated["rss_mb"], 1)
            single["ms_per_message"] = round(single["ms_per_message"] + evaluated["ms_per_message"] / 5, 2)
        systems["five single-language models"] = single

    detector = trained_detector(trains)
    report = {"date": time.strftime("%Y-%m-%d"), "systems": systems, "language_id": language_id(detector, tests),
              "language_id_writers": language_id(detector, writers),
              "unsupported_languages": unsupported_recognition(detector)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu-benchmark.json").write_text(json.dumps(report, indent=2))
    (PROJECT_ROOT / "docs" / "nlu-benchmark.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
