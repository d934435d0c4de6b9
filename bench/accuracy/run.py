"""Accuracy benchmark: labeled incidents from the public corpus, embedded in realistic log noise.

    python bench/accuracy/run.py            # the summary table
    python bench/accuracy/run.py --misses   # and every case that was not right
    python bench/accuracy/run.py --json     # machine-readable
    python bench/accuracy/run.py --fit      # refit the calibration map (paste into signals.yaml)

Prints top-1 and top-3 accuracy over the labeled cases, the false-confident rate over the
unexplainable ones (a cause reported with confidence >= 0.5 where none fits), and calibration:
for buckets of the top cause's confidence, the share of answers that were right.
Deterministic: the noise around each case is seeded by the case id.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from html import escape as xml_escape
from pathlib import Path

import yaml
from msgspec.structs import replace

from faultlens.ingest.sources import Blob
from faultlens.kb.loader import load_kb
from faultlens.pipeline import explain_blobs
from faultlens.rank import EXPLAINED_AT

HERE = Path(__file__).resolve().parent
BUCKETS = ((0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))
UNEXPLAINED = "unexplained"

# What surrounds a failure in real logs, near misses included.
NOISE = (
    "INFO loading station configuration from /opt/ts/current/etc/station.cfg",
    "INFO dut {sn} inserted, fixture FX-{fx:02d} closed",
    "INFO step power_on: PASS (vbus={v:.2f}V)",
    "INFO step rf_sweep: PASS (denied=0 retries=0 timeouts=0)",
    "WARN step io_loopback: timeout on port 3, retry 1 of 3; retry succeeded",
    "INFO heartbeat ok, queue=0, 0 errors",
    "INFO uploaded results for {sn} in {ms} ms",
    "DEBUG cache hit for limits table (sha256 ok)",
    "INFO worker {n} started (pid {pid})",
    "INFO config: connect_timeout=30s read_timeout=60s retries=3",
    "INFO cleanup: killed 0 stale processes",
    "WARN deprecated option 'error_budget' ignored",
    "INFO permission check passed for /opt/ts/current",
    "INFO free space on /opt: {gb} GB (no space issues)",
)


@dataclass(frozen=True)
class Outcome:
    case: dict
    got: list[tuple[str, float]]

    @property
    def label(self) -> str:
        return self.case["label"]

    @property
    def top(self) -> tuple[str, float] | None:
        return self.got[0] if self.got else None

    @property
    def right(self) -> bool:
        if self.label == UNEXPLAINED:
            return self.top is None or self.top[1] < EXPLAINED_AT
        return self.top is not None and self.top[0] == self.label


def noise_line(rng: random.Random) -> str:
    return rng.choice(NOISE).format(sn=f"SN{rng.randint(10000, 99999)}", fx=rng.randint(1, 12), v=rng.uniform(4.9, 5.1),
                                    ms=rng.randint(20, 900), n=rng.randint(1, 8), pid=rng.randint(1000, 30000),
                                    gb=rng.randint(40, 400))


def build(case: dict) -> dict[str, str]:
    """The case's files: its log in its format, wrapped in seeded noise, plus its snapshot files."""
    rng = random.Random(case["id"])
    before = [noise_line(rng) for _ in range(rng.randint(60, 200))]
    after = [noise_line(rng) for _ in range(rng.randint(2, 12))]
    fmt = case["format"]
    log = FORMATS[fmt](rng, before, case["lines"], after)
    name = {"junit": "TEST-results.xml", "journald": "journal.json"}.get(fmt, f"{fmt}.log")
    return {name: log, **case.get("files", {})}


def _clock(rng: random.Random, count: int) -> list[str]:
    start = rng.randint(0, 20 * 3600)
    return [f"{(start + 3 * i) // 3600 % 24:02d}:{(start + 3 * i) // 60 % 60:02d}:{(start + 3 * i) % 60:02d}"
            for i in range(count)]


def _plain(rng, before, lines, after):
    times = _clock(rng, len(before) + len(after))
    head = [f"2026-11-25 {t},{rng.randint(0, 999):03d} {ln}" for t, ln in zip(times, before)]
    tail = [f"2026-11-25 {t},{rng.randint(0, 999):03d} {ln}" for t, ln in zip(times[len(before):], after)]
    return "\n".join(head + list(lines) + tail) + "\n"


def _syslog(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after))
    body = [f"executive[1187]: {ln}" for ln in before] + [
        ln if "]: " in ln.split(" ", 1)[0] + " " or ln.split(":", 1)[0].endswith("]") else f"app[2210]: {ln}"
        for ln in lines] + [f"station-agent[902]: {ln}" for ln in after]
    return "\n".join(f"Nov 25 {t} station-07 {ln}" for t, ln in zip(times, body)) + "\n"


def _journald(rng, before, lines, after):
    base = 1764040000 * 10**6
    entries = []
    for i, (unit, msg) in enumerate([("ts-executive.service", ln) for ln in before] + [("kernel", ln) for ln in lines]
                                    + [("station-agent.service", ln) for ln in after]):
        entry = {"__REALTIME_TIMESTAMP": str(base + i * 1_000_000), "PRIORITY": "6", "MESSAGE": msg}
        entry["SYSLOG_IDENTIFIER" if unit == "kernel" else "_SYSTEMD_UNIT"] = unit
        entries.append(json.dumps(entry))
    return "\n".join(entries) + "\n"


def _junit(rng, before, lines, after):
    cases = [f'    <testcase classname="station.Suite" name="test_{i}" time="0.{rng.randint(1, 9)}"/>'
             for i in range(rng.randint(10, 40))]
    failure = (f'    <testcase classname="station.Suite" name="test_failing" time="0.3">\n'
               f'      <failure message="{xml_escape(lines[0])}" type="Failure">'
               + xml_escape("\n".join(lines)) + "</failure>\n    </testcase>")
    cases.insert(rng.randint(0, len(cases)), failure)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="station.Suite" tests="%d" failures="1">\n'
            % len(cases) + "\n".join(cases) + "\n</testsuite>\n")


def _gha(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after))
    body = ["##[group]Run ./ci/station-tests.sh"] + before + list(lines) + after + ["##[endgroup]"]
    return "\n".join(f"2024-05-02T{t}.{rng.randint(10**6, 10**7 - 1)}Z {ln}" for t, ln in zip(times + times[-1:] * 2, body)) + "\n"


def _jenkins(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after) + 2)
    body = ["Started by timer", "Running as SYSTEM"] + before + list(lines) + after
    return "\n".join(f"[{t}] {ln}" for t, ln in zip(times, body)) + "\n[" + times[-1] + "] Finished: FAILURE\n"


def _pytest(rng, before, lines, after):
    passed = [f"tests/test_station.py::test_{i} PASSED" for i in range(rng.randint(10, 60))]
    failing = ["", "=================================== FAILURES ===================================",
               "_________________________________ test_failing _________________________________",
               "    def test_failing():", ">       run_step()", *[f"E       {ln}" for ln in lines], "",
               f"FAILED tests/test_station.py::test_failing - {lines[-1]}",
               f"========================= 1 failed, {len(passed)} passed in 4.20s ========================="]
    return "\n".join(["============================= test session starts ==============================",
                      f"collected {len(passed) + 1} items", *passed, *failing]) + "\n"


def _traceback(rng, before, lines, after):
    frames = ["Traceback (most recent call last):", '  File "/opt/ts/current/python/tsrun/runner.py", line 212, in run',
              "    result = step.execute(dut)", '  File "/opt/ts/current/python/tsrun/steps.py", line 88, in execute',
              "    return self._call()"]
    return _plain(rng, before, frames + list(lines), after)


FORMATS = {"plain": _plain, "syslog": _syslog, "journald": _journald, "junit": _junit, "gha": _gha,
           "jenkins": _jenkins, "pytest": _pytest, "traceback": _traceback}


def run(cases: list[dict], calibrated: bool = True) -> list[Outcome]:
    """Explain every case; with calibrated=False the findings carry raw evidence scores."""
    kb = load_kb()
    if not calibrated:
        kb = replace(kb, calibration=())
    outcomes = []
    for case in cases:
        blobs = [Blob(name, text.encode()) for name, text in build(case).items()]
        result = explain_blobs(blobs, [], kb, case.get("user"))
        outcomes.append(Outcome(case, [(f.id, f.confidence) for f in result.findings]))
    return outcomes


KNOTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # the map is fitted where causes count as explained...
BELOW = ((0.0, 0.0), (0.49, 0.49))  # ...and is the identity below: weak evidence is never promoted
PRIOR = 3.0  # pseudo-observations at each knot that say "the score is the confidence"


def points(outcomes: list[Outcome]) -> list[tuple[float, bool]]:
    """Every reported cause as (score, was it the right one)."""
    return [(conf, cid == o.label) for o in outcomes for cid, conf in o.got]


def fit(pts: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    """A monotone map score -> confidence: per knot the share right, shrunk towards the score
    itself by PRIOR, then pool-adjacent-violators so it never falls."""
    right = {k: 0.0 for k in KNOTS}
    count = {k: 0.0 for k in KNOTS}
    for score, ok in pts:
        if score < KNOTS[0]:
            continue
        knot = min(KNOTS, key=lambda k: abs(k - score))
        right[knot] += ok
        count[knot] += 1
    blocks = [[(right[k] + PRIOR * k) / (count[k] + PRIOR), count[k] + PRIOR, [k]] for k in KNOTS]
    merged: list[list] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] > merged[-1][0]:
            (v1, w1, k1), (v2, w2, k2) = merged[-2], merged.pop()
            merged[-1] = [(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, k1 + k2]
    fitted = [(k, round(max(v, BELOW[-1][1]), 3)) for v, _, ks in merged for k in ks]
    return list(BELOW) + fitted


def apply(knots: list[tuple[float, float]], score: float) -> float:
    for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
        if score <= x1:
            return y0 + (y1 - y0) * (score - x0) / (x1 - x0)
    return knots[-1][1]


def calibration_table(pts: list[tuple[float, bool]]) -> list[dict]:
    rows = []
    for lo, hi in BUCKETS:
        inside = [(c, ok) for c, ok in pts if lo <= c < hi]
        if inside:
            mean = sum(c for c, _ in inside) / len(inside)
            share = sum(ok for _, ok in inside) / len(inside)
            rows.append({"bucket": f"[{lo:.1f}, {min(hi, 1.0):.1f}]", "n": len(inside), "mean_confidence": round(mean, 3),
                         "right": round(share, 3), "gap": round(abs(mean - share), 3)})
    return rows


def cross_validated(outcomes: list[Outcome], folds: int = 5) -> list[dict]:
    """Calibration of a map fitted without the cases it is judged on (fold i: every i-th case)."""
    held_out = []
    for i in range(folds):
        train = [o for n, o in enumerate(outcomes) if n % folds != i]
        knots = fit(points(train))
        held_out += [(apply(knots, c), ok) for o in outcomes[i::folds] for c, ok in points([o])]
    return calibration_table(held_out)


def summarize(outcomes: list[Outcome]) -> dict:
    labeled = [o for o in outcomes if o.label != UNEXPLAINED]
    unexplainable = [o for o in outcomes if o.label == UNEXPLAINED]
    top1 = sum(o.right for o in labeled) / len(labeled)
    top3 = sum(o.label in [cid for cid, _ in o.got[:3]] for o in labeled) / len(labeled)
    false_confident = sum(not o.right for o in unexplainable) / len(unexplainable) if unexplainable else 0.0
    return {"cases": len(outcomes), "labeled": len(labeled), "unexplainable": len(unexplainable),
            "causes_covered": len({o.label for o in labeled}), "top1": round(top1, 3), "top3": round(top3, 3),
            "false_confident_rate": round(false_confident, 3), "calibration": calibration_table(points(outcomes))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=str(HERE / "cases.yaml"))
    parser.add_argument("--misses", action="store_true", help="list every case that was not right")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fit", action="store_true", help="fit the calibration map on raw scores and print it")
    args = parser.parse_args()
    cases = yaml.safe_load(Path(args.cases).read_text())
    if args.fit:
        raw = run(cases, calibrated=False)
        knots = fit(points(raw))
        print("calibration:   # fitted by bench/accuracy/run.py --fit")
        print("\n".join(f"  - [{x}, {y}]" for x, y in knots))
        print("cross-validated calibration of this fit (5 folds):")
        for b in cross_validated(raw):
            print(f"  {b['bucket']:<11} n={b['n']:<3} mean {b['mean_confidence']:.3f}  right {b['right']:.3f}  gap {b['gap']:.3f}")
        return 0
    outcomes = run(cases)
    summary = summarize(outcomes)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"cases: {summary['cases']} ({summary['labeled']} labeled over {summary['causes_covered']} causes, "
          f"{summary['unexplainable']} unexplainable)")
    print(f"top-1 accuracy:        {summary['top1']:.3f}")
    print(f"top-3 accuracy:        {summary['top3']:.3f}")
    print(f"false-confident rate:  {summary['false_confident_rate']:.3f}  (unexplainable cases given a cause at >= {EXPLAINED_AT})")
    print("calibration (every reported cause):")
    print("  confidence   n   mean conf  share right  gap")
    for b in summary["calibration"]:
        print(f"  {b['bucket']:<11} {b['n']:>3}   {b['mean_confidence']:.3f}      {b['right']:.3f}        {b['gap']:.3f}")
    if args.misses:
        for o in outcomes:
            if not o.right:
                print(f"MISS {o.case['id']}: want {o.label}, got {o.got[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
