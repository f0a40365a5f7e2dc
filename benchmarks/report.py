"""docs/benchmark.md from the figures of `make bench`: tables, ratios to the reference, goals.

The page's "## Profile" section is written by hand (what profiling found); it is kept
as it is when the figures are rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PROFILE_HEADING = "## Profile"
# The goals of the lean-assistant issue: ratios to the `rasa init` bot of the same run, and
# training from scratch on 2 cores.
P95_GOAL_RATIO = 2.0
MEMORY_GOAL_RATIO = 1.3
STARTUP_GOAL_RATIO = 1.5
TRAINING_GOAL_SECONDS = 300
GOAL_USERS = ("20_users", "50_users")
NO_LOSS_USERS = "50_users"
LATENCY_ROWS = [("p50 (ms)", "p50_ms"), ("p95 (ms)", "p95_ms"), ("p99 (ms)", "p99_ms"), ("max (ms)", "max_ms"),
                ("throughput (replies/s)", "throughput_rps"), ("messages sent", "messages"),
                ("conversations", "conversations"), ("errors", "errors"), ("lost messages", "lost")]


def ratio(ours: Any, reference: Any) -> str:
    if not isinstance(ours, (int, float)) or not isinstance(reference, (int, float)) or not reference:
        return ""
    return f"{ours / reference:.2f}"


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "0"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _total_memory(measured: dict[str, Any], key: str) -> float:
    return round(sum(p["rss_mb"] for p in measured.get(key, {}).values()), 1)


def _rasa_memory(measured: dict[str, Any]) -> float | None:
    """Resident memory of the (first) Rasa process after loading the model."""
    memory = measured.get("memory_after_load", {})
    rasa = next((m["rss_mb"] for name, m in memory.items() if name.startswith("rasa")), None)
    return rasa


def _goal(text: str, ours: Any, reference: Any, limit: float) -> tuple[str, Any, bool | None]:
    if ours is None or not reference:
        return text, None, None
    value = round(ours / reference, 2)
    return text, value, value <= limit


def goals(report: dict[str, Any]) -> list[tuple[str, Any, bool | None]]:
    """(goal, measured value, met?) for each goal of the issue; None when it was not measured."""
    ours, reference = report.get("ours", {}), report.get("reference", {})
    rows = [_goal(f"p95 at {users.split('_')[0]} conversations <= {P95_GOAL_RATIO:g}x the reference's",
                  ours.get("phases", {}).get(users, {}).get("p95_ms"),
                  reference.get("phases", {}).get(users, {}).get("p95_ms"), P95_GOAL_RATIO) for users in GOAL_USERS]
    loaded = ours.get("phases", {}).get(NO_LOSS_USERS)
    failures = (loaded["errors"], loaded["lost"]) if loaded else None
    rows.append(("no error and no lost message at 50 conversations",
                 None if failures is None else f"{failures[0]} errors, {failures[1]} lost",
                 None if failures is None else failures == (0, 0)))
    rows.append(_goal(f"Rasa process memory after loading the model <= {MEMORY_GOAL_RATIO:g}x",
                      _rasa_memory(ours), _rasa_memory(reference), MEMORY_GOAL_RATIO))
    rows.append(_goal(f"start-up until answering <= {STARTUP_GOAL_RATIO:g}x",
                      ours.get("startup_seconds"), reference.get("startup_seconds"), STARTUP_GOAL_RATIO))
    trained = ours.get("train_seconds")
    rows.append((f"full training from scratch <= {TRAINING_GOAL_SECONDS} s", trained,
                 None if trained is None else trained <= TRAINING_GOAL_SECONDS))
    return rows


def render(report: dict[str, Any]) -> str:
    """The figures as Markdown."""
    ours, reference = report.get("ours", {}), report.get("reference", {})
    machine, settings = report["machine"], report["settings"]
    lines = [
        "# Reply latency: our assistant against Rasa's `rasa init` bot",
        "",
        "Written by `make bench` (`benchmarks/latency.py`; raw figures in `results/bench.json`). "
        "Both servers run the same Rasa version on the same machine, one after the other, under the same load: "
        "simulated users over REST (`/webhooks/rest/webhook`), each in its own conversations, waiting for every "
        "reply and pausing a random 0.5–1.5 s before the next message; the saturation phase has no pauses. "
        "Ours is the whole stack of `make run` (Rasa, actions, portal, outbox; SQLite tracker store); its "
        "conversations mix greetings, FAQ questions and registrations in five languages, so form validation and "
        "the saved lead are part of the load. The reference is the `rasa init` bot (in-memory tracker store, no "
        "custom actions), talked to along its own stories. "
        "Latency is counted from request to reply at the client; an error is an HTTP error or an empty reply; a "
        "lost message is one without any reply (timeout 30 s, dropped connection) or missing from its stored "
        "conversation. Ratio = ours / reference.",
        "",
    ]
    if ours.get("rasa_processes", 1) > 1:
        lines += [
            f"**Ours is the production set-up here** (docs/production.md, `--rasa-processes "
            f"{ours['rasa_processes']}`): {ours['rasa_processes']} Rasa processes sharing a PostgreSQL tracker "
            "store and Redis conversation locks, one action server, portal and outbox; each simulated user talks "
            "to one process for the whole phase, as the proxy's hash on the sender routes it.",
            "",
        ]
    lines += [
        f"Run: {report['date']}; machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB; "
        f"load average at start {', '.join(map(str, machine['load_average_at_start']))} (the machine is shared); "
        f"{settings['phase_seconds']:g} s per phase" + (" — **quick smoke run, not representative**" if settings["quick"]
                                                       else "") + ".",
        "",
        "## Goals of the lean-assistant issue (ratio = ours / reference)",
        "",
    ]
    lines += _table(["goal", "measured", "met"],
                    [[g, v, {True: "yes", False: "**no**", None: "not measured"}[met]] for g, v, met in goals(report)])
    for phase in settings["phases"]:
        name = phase["name"]
        title = (f"{phase['users']} concurrent conversations" if phase["pauses"]
                 else f"Saturation: {phase['users']} conversations without pauses")
        lines += ["", f"## {title}", ""]
        o, r = ours.get("phases", {}).get(name, {}), reference.get("phases", {}).get(name, {})
        lines += _table(["", "ours", "reference", "ratio"],
                        [[label, o.get(key), r.get(key), ratio(o.get(key), r.get(key))] for label, key in LATENCY_ROWS])
        kinds = {**o.get("error_kinds", {}), **r.get("error_kinds", {})}
        if kinds:
            lines += ["", f"Errors by kind: ours {_cell(o.get('error_kinds'))}; reference {_cell(r.get('error_kinds'))}."]
    lines += ["", "## Start-up, training, model, memory", ""]
    rows = [
        ["start-up until it answers (s)", ours.get("startup_seconds"), reference.get("startup_seconds")],
        ["first reply after start-up (ms)", ours.get("first_reply_ms"), reference.get("first_reply_ms")],
        ["training (s)", ours.get("train_seconds"), reference.get("train_seconds")],
        ["model size (MB)", ours.get("model_size_mb"), reference.get("model_size_mb")],
        ["resident memory, all processes, idle (MB)", _total_memory(ours, "memory_idle") or None,
         _total_memory(reference, "memory_idle") or None],
        ["resident memory, all processes, after load (MB)", _total_memory(ours, "memory_after_load") or None,
         _total_memory(reference, "memory_after_load") or None],
    ]
    lines += _table(["", "ours", "reference", "ratio"], [row + [ratio(row[1], row[2])] for row in rows])
    lines += ["", "Ours' start-up counts from `python -m bot.launcher` until Rasa (model loaded), the action server "
                  "and the portal answer; the reference's from `rasa run` until Rasa answers. Training: the "
                  "reference's is the whole `rasa init`; ours is measured only when the run had to train "
                  "(`make bench BENCH_ARGS=--train` trains from scratch; `–`: the cached model of `make train` was used)."]
    lines += ["", "Resident memory per process (MB, after load; peak = high-water mark):", ""]
    rows = [[f"ours: {name}", m["rss_mb"], m["peak_mb"]] for name, m in ours.get("memory_after_load", {}).items()]
    rows += [[f"reference: {name}", m["rss_mb"], m["peak_mb"]]
             for name, m in reference.get("memory_after_load", {}).items()]
    lines += _table(["process", "RSS", "peak"], rows)
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], path: Path) -> str:
    """Rewrite the figures of `path`, keep its Profile section; return the new figures."""
    text = render(report)
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if PROFILE_HEADING in old:
            kept = "\n" + old[old.index(PROFILE_HEADING):]
    path.write_text(text + kept, encoding="utf-8")
    return text
