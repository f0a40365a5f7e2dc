"""Where one message's time goes, by wall clock and without a profiler.

cProfile (`benchmarks.profiling`) shows what is heavy but inflates Python-heavy code; this
runs our conversations one message at a time through an in-process Rasa agent (our
model, endpoints.yml: SQLite tracker store, the real action server) and times the steps
of Rasa's `MessageProcessor`, the NLU components and the policies by wrapping them.
`python -m benchmarks.phases [--model FILE] [--rounds N]`; writes results/phases.json.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import json
import logging
import os
import subprocess
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import structlog

from benchmarks.conversations import OURS
from benchmarks.stack import our_environment, stop, wait_until_up
from bot.config import PROJECT_ROOT
from bot.free_ports import free_ports

TIMED = {
    # step name: (module, class, method)
    "tracker: retrieve": ("rasa.core.processor", "MessageProcessor", "fetch_tracker_and_update_session"),
    "tracker: save": ("rasa.core.processor", "MessageProcessor", "save_tracker"),
    "nlu: whole parse": ("rasa.core.processor", "MessageProcessor", "_parse_message_with_graph"),
    "nlu: SentenceFeaturizer": ("bot.nlu.sentence_featurizer", "SentenceFeaturizer", "process"),
    "nlu: LinearIntentClassifier": ("bot.nlu.intent_classifier", "LinearIntentClassifier", "process"),
    "nlu: CRFEntityExtractor": ("rasa.nlu.extractors.crf_entity_extractor", "CRFEntityExtractor", "process"),
    "nlu: CountVectorsFeaturizer": ("rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer",
                                    "CountVectorsFeaturizer", "process"),
    "nlu: LanguageDetector": ("bot.nlu.language_detector", "LanguageDetector", "process"),
    "policies: whole prediction": ("rasa.core.processor", "MessageProcessor", "_predict_next_with_tracker"),
    "policies: RulePolicy": ("rasa.core.policies.rule_policy", "RulePolicy", "predict_action_probabilities"),
    "policies: MemoizationPolicy": ("rasa.core.policies.memoization", "MemoizationPolicy",
                                    "predict_action_probabilities"),
    "slots: action_extract_slots": ("rasa.core.processor", "MessageProcessor", "run_action_extract_slots"),
    "action server call": ("rasa.core.actions.action", "RemoteAction", "run"),
}


class Stopwatch:
    """Total seconds and calls per step, for methods wrapped in place."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu_seconds: dict[str, float] = defaultdict(float)  # this thread's CPU: less noisy on a shared host
        self.calls: Counter = Counter()

    def wrap(self, name: str, module: str, cls: str, method: str) -> None:
        owner = getattr(importlib.import_module(module), cls)
        original = getattr(owner, method)

        def record(started: float, cpu_started: float) -> None:
            self.seconds[name] += time.perf_counter() - started
            self.cpu_seconds[name] += time.thread_time() - cpu_started
            self.calls[name] += 1

        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed(*args, **kwargs):
                started, cpu_started = time.perf_counter(), time.thread_time()
                try:
                    return await original(*args, **kwargs)
                finally:
                    record(started, cpu_started)
        else:
            @functools.wraps(original)
            def timed(*args, **kwargs):
                started, cpu_started = time.perf_counter(), time.thread_time()
                try:
                    return original(*args, **kwargs)
                finally:
                    record(started, cpu_started)
        setattr(owner, method, timed)

    def reset(self) -> None:
        self.seconds.clear()
        self.cpu_seconds.clear()
        self.calls.clear()


async def _drive(model: Path, rounds: int, stopwatch: Stopwatch) -> tuple[int, float, float]:
    """One warm-up round of every conversation, then `rounds` timed ones; returns (messages, seconds,
    CPU seconds of Rasa's thread)."""
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints

    from bot import rasa_runtime

    rasa_runtime.install()  # as every Rasa server of ours does (bot/channels/__init__.py)

    agent = await load_agent(model_path=str(model),
                             endpoints=AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml")))
    messages, seconds, cpu_seconds = 0, 0.0, 0.0
    for round_number in range(rounds + 1):
        if round_number == 1:
            stopwatch.reset()
            messages, seconds, cpu_seconds = 0, 0.0, 0.0
        for conversation in OURS:
            sender = uuid.uuid4().hex
            for text in conversation:
                started, cpu_started = time.perf_counter(), time.thread_time()
                await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
                seconds += time.perf_counter() - started
                cpu_seconds += time.thread_time() - cpu_started
                messages += 1
    return messages, seconds, cpu_seconds


def measure(model: Path | None, rounds: int) -> dict:
    from bot.config import load_settings
    from bot.launcher import process_commands, process_environment
    from bot.leads import schema
    from bot.training import ensure_model

    with tempfile.TemporaryDirectory(prefix="s3m-phases-") as tmp:
        work = Path(tmp)
        names = ("S3M_RASA_PORT", "S3M_ACTION_PORT", "S3M_PORTAL_PORT", "S3M_SMTP_PORT")
        env = our_environment(work, dict(zip(names, free_ports(len(names)), strict=True)))
        os.environ.update(env)
        settings = load_settings()
        model = model or ensure_model(settings.models_dir)
        schema.upgrade(settings.database_url)
        os.environ.update(process_environment(settings))  # endpoints.yml reads S3M_ACTION_URL
        with (work / "actions.log").open("w") as log:
            actions = subprocess.Popen(process_commands(settings, str(model))["actions"], shell=True,
                                       cwd=PROJECT_ROOT, env=dict(os.environ), stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(f"http://127.0.0.1:{env['S3M_ACTION_PORT']}/health", actions, work / "actions.log")
            # Rasa's debug and info logs are not part of a reply's cost (`rasa run` logs at INFO)
            logging.disable(logging.INFO)
            structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
            stopwatch = Stopwatch()
            for name, target in TIMED.items():
                stopwatch.wrap(name, *target)
            messages, seconds, cpu_seconds = asyncio.run(_drive(model, rounds, stopwatch))
        finally:
            stop(actions)
    steps = {name: {"calls_per_message": round(stopwatch.calls[name] / messages, 2),
                    "ms_per_message": round(1000 * stopwatch.seconds[name] / messages, 1),
                    "cpu_ms_per_message": round(1000 * stopwatch.cpu_seconds[name] / messages, 1)}
             for name in TIMED if stopwatch.calls[name]}
    return {"model": model.name, "messages": messages, "ms_per_message": round(1000 * seconds / messages, 1),
            "cpu_ms_per_message": round(1000 * cpu_seconds / messages, 1), "steps": steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model archive (default: the one `make train` builds)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of every conversation (default 2)")
    args = parser.parse_args()
    result = measure(args.model, args.rounds)
    out = PROJECT_ROOT / "results" / "phases.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"{result['messages']} messages, one at a time: {result['ms_per_message']} ms each on average, "
          f"{result['cpu_ms_per_message']} ms of it on Rasa's CPU\n")
    print("| step | calls per message | ms per message | Rasa's CPU ms per message |\n| --- | --- | --- | --- |")
    for name, step in result["steps"].items():
        print(f"| {name} | {step['calls_per_message']} | {step['ms_per_message']} | {step['cpu_ms_per_message']} |")


if __name__ == "__main__":
    main()
