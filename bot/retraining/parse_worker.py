"""Load one model and parse messages read as JSON from stdin (used by bot.retraining.evaluation and benchmarks.nlu).

Runs in its own process so that its resident memory is that of one model.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

from bot.retraining.evaluation import label_of


async def parse_all(model: str, tests: dict[str, list[str]]) -> dict:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    labels: dict[str, list[str]] = {}
    count, started = 0, time.perf_counter()
    for language, texts in tests.items():
        labels[language] = []
        for text in texts:
            parsed = await agent.parse_message(text)
            labels[language].append(label_of(parsed))
            count += 1
    elapsed_ms = 1000 * (time.perf_counter() - started) / max(count, 1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"labels": labels, "rss_mb": round(rss_mb, 1), "ms_per_message": round(elapsed_ms, 2)}


def main() -> None:
    request = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(parse_all(request["model"], request["tests"]))))


if __name__ == "__main__":
    main()
