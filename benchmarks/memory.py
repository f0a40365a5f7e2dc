"""Resident memory of a server's processes, read from /proc (psutil is not in the lock).

Each child of the launcher (honcho starts every process through a shell) is named by
what it runs and counted with all its descendants; the launcher itself is listed too.
"""

from __future__ import annotations

from pathlib import Path

NAMES = [("rasa_sdk", "actions"), ("rasa run", "rasa"), ("uvicorn", "portal"),
         ("bot.leads.outbox", "outbox"), ("bot.leads.mailbox", "mailbox"), ("bot.launcher", "launcher")]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(stat.parent.name))
    return tree


def _descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += tree.get(current, [])
    return found


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _name(command: str) -> str:
    return next((name for marker, name in NAMES if marker in command), command.split(" ")[0])


def resident_memory_mb(root: int) -> dict[str, dict[str, float]]:
    """{process name: {"rss_mb": now, "peak_mb": high-water mark}} of `root` and each of its children."""
    tree = _children()
    result = {_name(_command(root)): _memory([root])}
    for child in tree.get(root, []):
        pids = _descendants(child, tree)
        name = _name(" ".join(_command(pid) for pid in pids))
        result[name] = _memory(pids)
    return result


def _memory(pids: list[int]) -> dict[str, float]:
    return {"rss_mb": round(sum(_status_kb(p, "VmRSS") for p in pids) / 1024, 1),
            "peak_mb": round(sum(_status_kb(p, "VmHWM") for p in pids) / 1024, 1)}
