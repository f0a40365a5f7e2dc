"""Reply latency of the running assistant against Rasa's own `rasa init` bot (`make bench`).

Starts our whole stack as `make run` does, and the `rasa init` bot of the same Rasa
version, and drives each over REST with simulated users who chat as people do (a
random pause of 0.5-1.5 s between messages) at 1, 20 and 50 concurrent
conversations, then without pauses (saturation). Reports p50/p95/p99 latency,
throughput, errors and lost messages per phase, start-up and training time, model
size and resident memory per process, each of ours also as a ratio to the reference,
and checks the goals of the lean-assistant issue (2 cores): p95 <= 2x the reference's at
20 and 50 conversations, no error and no lost message at 50, the Rasa process's memory
<= 1.3x and start-up <= 1.5x the reference's, full training <= 5 min (with --train).

Writes results/bench.json and docs/benchmark.md (keeping its hand-written "Profile"
section) and prints the tables.

Usage: python -m benchmarks.latency [--duration S] [--quick] [--only ours|reference] [--model FILE]
                                   [--rasa-processes N] [--train]
       python -m benchmarks.latency --profile   (cProfile of Rasa and the actions under load)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.conversations import OURS, REFERENCE
from benchmarks.load import first_reply_ms, run_phase
from benchmarks.memory import resident_memory_mb
from benchmarks.report import write_report
from benchmarks.stack import Server, init_reference, models_dir_with, our_stack, reference_server
from bot.config import PROJECT_ROOT, load_settings
from bot.training import ensure_model, model_path

RESULTS = PROJECT_ROOT / "results"
USERS = (1, 20, 50)
WARMUP_SECONDS = 5


def machine() -> dict[str, Any]:
    """Cores, memory and how busy the machine was when the run began."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")
    total_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(total_kb / 2**20, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def measure(server: Server, conversations: list[list[str]], phases: list[dict[str, Any]],
            first_message: str) -> dict[str, Any]:
    """Warm the server up, then run every phase against it; memory before and after."""
    urls = server.extra.get("urls") or [server.url]
    first_ms = max(asyncio.run(first_reply_ms(url, first_message)) for url in urls)
    asyncio.run(run_phase(urls, "warmup", 2 * len(urls), WARMUP_SECONDS, conversations, pauses=False))
    memory_idle = memory_of(server)
    results = {}
    for phase in phases:
        print(f"  {server.name}: {phase['name']} ({phase['users']} users, {phase['seconds']:g} s)...", flush=True)
        outcome = asyncio.run(run_phase(urls, phase["name"], phase["users"], phase["seconds"],
                                        conversations, pauses=phase["pauses"], seed=len(results) + 1))
        results[phase["name"]] = outcome.summary()
    return {"startup_seconds": server.startup_seconds, "first_reply_ms": first_ms, "phases": results,
            "rasa_processes": len(urls), "memory_idle": memory_idle, "memory_after_load": memory_of(server)}


def memory_of(server: Server) -> dict[str, dict[str, float]]:
    """Resident memory of the server's process group and of its extra Rasa processes."""
    memory = resident_memory_mb(server.process.pid)
    for number, process in enumerate(server.extra.get("processes", []), start=2):
        memory[f"rasa ({number})"] = next(iter(resident_memory_mb(process.pid).values()))
    return memory


def phase_plan(seconds: float, saturation_users: int) -> list[dict[str, Any]]:
    plan = [{"name": f"{users}_users", "users": users, "seconds": seconds, "pauses": True} for users in USERS]
    plan.append({"name": "saturation", "users": saturation_users, "seconds": seconds, "pauses": False})
    return plan


def ensure_our_model(models_dir: Path) -> tuple[Path, float | None]:
    """Our model, and its training time when this run had to train it (else None: cached)."""
    cached = model_path(models_dir).exists()
    started = time.monotonic()
    model = ensure_model(models_dir)
    return model, None if cached else round(time.monotonic() - started, 1)


def size_mb(path: Path) -> float:
    return round(path.stat().st_size / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase (default 60)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 s per phase")
    parser.add_argument("--saturation-users", type=int, default=20, help="users of the phase without pauses")
    parser.add_argument("--only", choices=["ours", "reference"], help="measure one of the two")
    parser.add_argument("--rasa-processes", type=int, default=1,
                        help="ours as the production set-up: this many Rasa processes on PostgreSQL and Redis")
    parser.add_argument("--model", type=Path,
                        help="our model file to serve (default: the current data's, trained if missing)")
    parser.add_argument("--train", action="store_true",
                        help="train our model from scratch in a temporary folder and report the time")
    parser.add_argument("--profile", action="store_true",
                        help="profile Rasa and the action server under load instead (benchmarks/profiling.py)")
    args = parser.parse_args()
    seconds = 10 if args.quick else args.duration
    if args.profile:
        from benchmarks.profiling import profile_stack

        profile_stack(seconds, args.model)
        return
    plan = phase_plan(seconds, args.saturation_users)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"phase_seconds": seconds, "quick": args.quick, "phases": plan,
                     "pause_seconds": [0.5, 1.5], "request_timeout_seconds": 30},
    }
    with tempfile.TemporaryDirectory(prefix="s3m-bench-") as tmp:
        work = Path(tmp)
        if args.only != "reference":
            if args.model:
                models_dir = models_dir_with(args.model, work)
            else:
                models_dir = work / "models" if args.train else load_settings().models_dir
            model, train_seconds = ensure_our_model(models_dir)
            print("Our stack: starting (loading the model takes a few minutes)...", flush=True)
            with our_stack(work, models_dir, args.rasa_processes) as server:
                print(f"  up in {server.startup_seconds} s", flush=True)
                report["ours"] = measure(server, OURS, plan, "Hello")
            report["ours"].update(model=model.resolve().name, model_size_mb=size_mb(model),
                                  train_seconds=train_seconds)
        if args.only != "ours":
            print("Reference: rasa init (trains its model)...", flush=True)
            project, init_seconds = init_reference(work)
            [ref_model] = sorted((project / "models").glob("*.tar.gz"))
            with reference_server(project, work) as server:
                print(f"  up in {server.startup_seconds} s", flush=True)
                report["reference"] = measure(server, REFERENCE, plan, "hello")
            report["reference"].update(model=ref_model.name, model_size_mb=size_mb(ref_model),
                                       train_seconds=init_seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(write_report(report, PROJECT_ROOT / "docs" / "benchmark.md"))


if __name__ == "__main__":
    main()
