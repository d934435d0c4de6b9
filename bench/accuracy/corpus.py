"""Where the accuracy benchmark's material comes from: real incidents quoted from public threads
(real/*.yaml), whole real logs (../shared/corpus/data: CiDiff, logdetective, elastic-recheck) with
their labels (whole_logs.yaml), and real passing logs for false alarms and noise.

Nothing here is tuned on: the split into a tuning half and a held-out half is by source thread
(a wording written for one thread is scored on others), and a thread any cause cites is in-sample.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = Path(os.environ.get("FAULTLENS_CORPUS", ROOT.parent / "shared" / "corpus" / "data"))

# Ordinary lines of real software that are no failure (the audit's H2 table, cited there): each is
# a negative test, and the one-line probe adds one of them to every case.
ORDINARY = (
    "sudo: unable to resolve host raspi4: No address associated with hostname",
    "bash: warning: setlocale: LC_ALL: cannot change locale (en_US.UTF-8)",
    "perl: warning: Setting locale failed.",
    '        "OOMKilled": false,',
    "systemd[1]: Watchdog running with a hardware timeout of 10s.",
    "systemd-shutdown[1]: Watchdog running with a timeout of 1min.",
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection "
    "broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='pypi.org', port=443): Read timed out. (read timeout=15)\")': /simple/requests/",
    "ls: cannot access '/etc/ts/local.d': No such file or directory",
    "which: no python2 in (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin)",
    'Readiness probe failed: Get "http://10.1.2.3:8080/healthz": dial tcp 10.1.2.3:8080: connect: connection refused',
    "==> Generating self-signed certificate for: localhost,127.0.0.1",
    "2015-10-18 18:01:50,123 INFO [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerRequestor: "
    "1 failures on node MININT-FNANLI5.fareast.corp.microsoft.com",
    "Jun 14 15:16:01 combo ftpd[31277]: User unknown timed out after 900 seconds at Tue Jun 14 15:16:01 2005",
)


def probe_line(case_id: str) -> str:
    """The ordinary line the one-line probe adds to a case (drawn by its id, so every line is used)."""
    return ORDINARY[zlib.crc32(case_id.encode()) % len(ORDINARY)]


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


@cache
def real_cases() -> tuple[dict, ...]:
    """Every real incident (real/*.yaml), each with its split."""
    cited = cited_threads()
    out = []
    for path in sorted((HERE / "real").glob("*.yaml")):
        for case in _yaml(path):
            case = dict(case, file=path.name)
            case["split"] = "in-sample" if _thread(case["source"]) in cited else split_of(case["source"])
            out.append(case)
    return tuple(out)


def _thread(source: str) -> str:
    m = re.search(r"[\w.-]+/[\w.-]+#\d+", str(source))
    return m[0].lower() if m else str(source).strip().lower()


def split_of(source: str) -> str:
    """Tuning or held-out, by the thread (stable: a hash of its name)."""
    return "tune" if zlib.crc32(_thread(source).encode()) % 2 == 0 else "held-out"


@cache
def cited_threads() -> frozenset[str]:
    """Threads any shipped cause cites, or that the old synthetic cases were built from."""
    found = set()
    for path in (ROOT / "src" / "faultlens" / "kb" / "causes").glob("*.yaml"):
        found.update(m.lower() for m in re.findall(r"[\w.-]+/[\w.-]+#\d+", path.read_text(encoding="utf-8")))
    for case in _yaml(HERE / "cases.yaml"):
        found.add(_thread(case.get("source", "")))
    return frozenset(found)


@cache
def whole_logs() -> tuple[dict, ...]:
    """The whole failing logs with their labels: `accept` (a right answer besides unexplained)
    and, for CiDiff, the ground-truth lines (numbered as the dataset numbers them)."""
    out = []
    for entry in (e for e in _yaml(HERE / "whole_logs.yaml") if "path" in e):
        path = DATA / entry["path"]
        if not path.is_file():
            continue
        case = dict(entry, data=path.read_bytes(), accept=tuple(entry.get("accept") or ()))
        truth = path.parent / "groundtruth"
        if entry["path"].startswith("cidiff-breakages/") and truth.is_file():
            case["truth"] = frozenset(_truth_lines(truth.read_text()))
        out.append(case)
    for bug in _elastic_bugs():
        out.append(bug)
    return tuple(out)


def _truth_lines(text: str) -> list[int]:
    lines = []
    for row in text.splitlines():
        m = re.match(r"E (\d+)(?:-(\d+))?$", row.strip())
        if m:
            lines += range(int(m[1]), int(m[2] or m[1]) + 1)
    return lines


def _elastic_bugs() -> list[dict]:
    """elastic-recheck's sample hits, one case per bug: its lines as one log."""
    labels = {e["bug"]: e for e in _yaml(HERE / "whole_logs.yaml") if "bug" in e}
    path = DATA / "elastic-recheck" / "sample_hits.jsonl"
    if not path.is_file():
        return []
    by_bug: dict[str, list[str]] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        hit = json.loads(row)
        by_bug.setdefault(hit["bug"], []).append(str(hit.get("message") or ""))
    return [{"id": f"elastic-recheck-{bug}", "path": f"elastic-recheck/sample_hits.jsonl#{bug}",
             "data": "\n".join(lines[:200]).encode(), "accept": tuple(labels.get(bug, {}).get("accept") or ()),
             "why": labels.get(bug, {}).get("why", "an OpenStack gate bug: application behaviour")}
            for bug, lines in sorted(by_bug.items())]


def line_map(data: bytes) -> list[range]:
    """For each line as faultlens numbers them (split at \\n), the dataset's line numbers it
    covers (CiDiff splits at a lone \\r too)."""
    out, at = [], 1
    for line in data.split(b"\n"):
        breaks = line.rstrip(b"\r").count(b"\r")
        out.append(range(at, at + breaks + 1))
        at += breaks + 1
    return out


@cache
def passing_logs() -> tuple[tuple[str, bytes], ...]:
    """Real logs of runs that passed or of healthy systems: no cause may reach 0.5 on one."""
    found = []
    for path in sorted((DATA / "cidiff-breakages").glob("*/pass.log")):
        found.append((f"cidiff/{path.parent.name}/pass.log", path.read_bytes()))
    for path in sorted((DATA / "loghub-2k").glob("*/*_2k.log")):
        found.append((f"loghub/{path.name}", path.read_bytes()))
    for path in sorted((ROOT / "samples" / "passing").glob("*.log")):
        found.append((f"samples/passing/{path.name}", path.read_bytes()))
    for case in real_cases():
        if case.get("passing"):
            found.append((f"real/{case['id']}", case["log"].encode()))
    return tuple(found)


# a whole run's verdict: ordinary in the passing log it ends, self-contradicting inside a failing one
_VERDICT = re.compile(r"BUILD SUCCESS|Finished: SUCCESS|Process completed with exit code 0|^=+ \d+ passed")


@cache
def noise_pool() -> tuple[str, ...]:
    """Lines of real passing logs, their run's verdict line aside: what surrounds a failure in the
    wrappers."""
    lines = []
    for name, data in passing_logs():
        text = data.decode("utf-8", "replace").replace("\r", "")
        lines += [ln[:300] for ln in text.split("\n") if ln.strip() and not _VERDICT.search(ln)][:400]
    return tuple(lines)
