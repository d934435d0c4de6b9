"""What changed since the previous night: history kept in the output folder, one entry a night.

A night is named by the date its runs are centred on, shifted back 12 hours, so a night shift
from 20:00 to 06:00 is the night of the evening it began. Reporting the same night again
replaces its entry; the previous night is the latest one before it, so a rerun or a backfill
compares with the night before, not with itself.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

HISTORY = "history.json"
STAGING = ".staging-"
KEEP = 400  # nights kept
GROWTH = 1.5  # a cause "grew" when it has at least this many times its previous count (and 2 more)


def night_of(middle: datetime) -> str:
    """The night a run time (the median start of the night's runs) belongs to, as YYYY-MM-DD."""
    return (middle - timedelta(hours=12)).date().isoformat()


def _night(entry: dict) -> str:
    return str(entry.get("night") or entry.get("generated_at", ""))[:10]  # entries before nights had no key


def load(out_dir: Path) -> list[dict]:
    path = out_dir / HISTORY
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def previous(history: list[dict], night: str) -> dict | None:
    """The latest entry of a night before `night`."""
    before = [e for e in history if _night(e) < night]
    return max(before, key=_night) if before else None


def changes(previous: dict | None, counts: dict[str, int]) -> dict:
    """New causes, causes that grew, causes that disappeared, against the previous night."""
    if previous is None:
        return {"previous": None, "new": [], "grew": [], "gone": []}
    before: dict[str, int] = previous.get("by_cause", {})
    return {
        "previous": previous.get("generated_at"),
        "previous_night": previous.get("night"),
        "new": sorted(c for c in counts if c not in before),
        "grew": sorted(c for c, n in counts.items() if c in before and n >= before[c] * GROWTH and n >= before[c] + 2),
        "gone": sorted(c for c in before if c not in counts),
        "counts_before": before,
    }


def recorded(history: list[dict], entry: dict) -> list[dict]:
    """The history with this night's entry in place of any earlier one of the same night, in
    night order, the last KEEP nights."""
    kept = [e for e in history if _night(e) != entry["night"]] + [entry]
    return sorted(kept, key=_night)[-KEEP:]


@contextmanager
def locked(out_dir: Path):
    """Hold the output folder for one report at a time (an flock on the folder itself, released
    by the kernel when the process dies), and clear what killed reports left: while the lock is
    held, any staging folder is one that nobody is writing any more."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        fcntl = None
    fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in out_dir.glob(STAGING + "*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        os.close(fd)  # releases the lock
