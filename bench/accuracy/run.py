"""Accuracy benchmark, real material first.

    python bench/accuracy/run.py              # every table
    python bench/accuracy/run.py --misses     # and every case that was not right (held-out: a count only)
    python bench/accuracy/run.py --json       # machine-readable (the tests read it)
    python bench/accuracy/run.py --fit        # refit the calibration map (tuning half only)
    python bench/accuracy/run.py --fit --write   # ...and write it into the shipped signals.yaml

Tables (corpus.py says where each comes from):
1. real incidents quoted from public threads (real/*.yaml), each wrapped in noise from real
   passing logs in one of eight formats, split by source thread: `held-out` (the headline),
   `tune` (what signals may be written against) and `in-sample` (threads a cause cites); with the
   one-ordinary-line probe (a harmless line of real software added to every case) as a column;
2. whole real failing logs (CiDiff, logdetective, elastic-recheck): right answer or unexplained,
   and for CiDiff whether a ground-truth line is among the first 10 lines shown;
3. real passing logs (CiDiff passing side, Loghub-2k, samples/passing): false alarms;
4. the ordinary lines alone: none may reach 0.5;
5. the synthetic first benchmark (synthetic.py), a second table, never the headline;
6. calibration over every cause reported on labelled real material.
Deterministic: all noise is seeded by the case id.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from msgspec.structs import replace

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import synthetic  # noqa: E402
from wrap import FORMATS, wrap  # noqa: E402

from faultlens.ingest.sources import Blob  # noqa: E402
from faultlens.kb.loader import load_kb  # noqa: E402
from faultlens.pipeline import explain_blobs  # noqa: E402
from faultlens.rank import EXPLAINED_AT  # noqa: E402

UNEXPLAINED = "unexplained"
BUCKETS = ((0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))
SHOWN_LINES = 10


@dataclass(frozen=True)
class Outcome:
    case: dict
    got: list[tuple[str, float]]
    shown: tuple[tuple[str, int], ...] = ()  # (source, line) of the lines shown, in order

    @property
    def label(self) -> str:
        return self.case["label"]

    @property
    def accept(self) -> tuple[str, ...]:
        return (self.label,) if self.label != UNEXPLAINED else ()

    @property
    def top(self) -> tuple[str, float] | None:
        return self.got[0] if self.got else None

    @property
    def confident(self) -> bool:
        return self.top is not None and self.top[1] >= EXPLAINED_AT

    @property
    def right(self) -> bool:
        if self.label == UNEXPLAINED:
            return not self.confident
        return self.top is not None and self.top[0] == self.label

    @property
    def confident_wrong(self) -> bool:
        return self.confident and self.top[0] not in self.accept


@dataclass(frozen=True)
class WholeOutcome(Outcome):
    @property
    def label(self) -> str:
        return "|".join(self.case["accept"]) or UNEXPLAINED

    @property
    def accept(self) -> tuple[str, ...]:
        return self.case["accept"]

    @property
    def right(self) -> bool:
        return not self.confident_wrong


def explain(files: dict[str, bytes], kb, user: str | None = None):
    return explain_blobs([Blob(name, data) for name, data in files.items()], [], kb, user)


def _shown(result) -> tuple[tuple[str, int], ...]:
    """The lines a reader sees first: the evidence of the causes listed, then the unusual lines."""
    seen: dict[tuple[str, int], None] = {}
    for f in result.findings:
        for ev in f.evidence:
            if ev.line is not None:
                seen.setdefault((ev.source, ev.line))
    for u in result.unusual_lines:
        seen.setdefault((u.source, u.line))
    return tuple(seen)[:SHOWN_LINES]


def real_files(case: dict, extra: str | None = None) -> dict[str, bytes]:
    """A real incident as a whole log: its verbatim lines wrapped in real passing-log noise, in a
    format drawn by its id; its snapshot files as the thread showed them."""
    rng = random.Random(case["id"])
    fmt = rng.choice(sorted(FORMATS))
    lines = [ln for ln in str(case["log"]).rstrip("\n").split("\n")]
    name, text = wrap(fmt, rng, corpus.noise_pool(), lines, extra)
    return {name: text.encode(), **{k: str(v).encode() for k, v in (case.get("files") or {}).items()}}


def run_real(kb, probe: bool = False) -> list[Outcome]:
    """probe: add one ordinary line (corpus.probe_line) to every case."""
    out = []
    for case in corpus.real_cases():
        if case.get("passing"):
            continue
        result = explain(real_files(case, corpus.probe_line(case["id"]) if probe else None), kb, case.get("user"))
        out.append(Outcome(case, [(f.id, f.confidence) for f in result.findings], _shown(result)))
    return out


def run_whole(kb) -> list[WholeOutcome]:
    out = []
    for case in corpus.whole_logs():
        result = explain({case["path"]: case["data"]}, kb)
        out.append(WholeOutcome(case, [(f.id, f.confidence) for f in result.findings], _shown(result)))
    return out


def run_synthetic(kb, probe: bool = False) -> list[Outcome]:
    out = []
    for case in synthetic.cases():
        files = {k: v.encode() for k, v in synthetic.build(case, corpus.probe_line(case["id"]) if probe else None).items()}
        result = explain(files, kb, case.get("user"))
        out.append(Outcome(case, [(f.id, f.confidence) for f in result.findings]))
    return out


def false_alarms(kb) -> list[tuple[str, str, float]]:
    """(log, cause, confidence) of every cause at >= 0.5 on a passing log or an ordinary line."""
    found = []
    items = list(corpus.passing_logs()) + [(f"ordinary: {line}", line.encode() + b"\n") for line in corpus.ORDINARY]
    for name, data in items:
        result = explain({name.split(": ")[0] if name.startswith("ordinary") else name: data}, kb)
        found += [(name, f.id, f.confidence) for f in result.findings if f.confidence >= EXPLAINED_AT]
    return found


def rates(outcomes: list[Outcome]) -> dict:
    if not outcomes:
        return {"n": 0}
    labeled = [o for o in outcomes if o.label != UNEXPLAINED]
    return {
        "n": len(outcomes),
        "labeled": len(labeled),
        "top1": round(sum(o.right for o in outcomes) / len(outcomes), 3),
        "top3": round(sum(o.label in [c for c, _ in o.got[:3]] for o in labeled) / len(labeled), 3) if labeled else None,
        "explained_right": round(sum(o.confident and not o.confident_wrong for o in labeled) / len(labeled), 3) if labeled else None,
        "confident_wrong": round(sum(o.confident_wrong for o in outcomes) / len(outcomes), 3),
        "confident_wrong_n": sum(o.confident_wrong for o in outcomes),
    }


def truth_in_shown(o: Outcome) -> bool | None:
    """Is a ground-truth line among the first lines shown (CiDiff numbering)?"""
    truth = o.case.get("truth")
    if not truth:
        return None
    numbers = corpus.line_map(o.case["data"])
    return any(src == o.case["path"] and 0 < line <= len(numbers) and set(numbers[line - 1]) & truth
               for src, line in o.shown)


def points(outcomes: list[Outcome]) -> list[tuple[float, bool]]:
    """Every reported cause as (confidence, was it a right one)."""
    return [(conf, cid in o.accept) for o in outcomes for cid, conf in o.got]


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


KNOTS = (0.1, 0.2, 0.3, 0.4, 0.49, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
EXPLAINED = 0.5
MIN_POINTS = 20  # a knot with fewer points keeps the identity (the score is the confidence)


def fit(pts: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    """A monotone map score -> confidence. At a knot with >= MIN_POINTS points: the share of right
    answers there (below 0.5 never more than the score itself: weak evidence may be demoted, never
    promoted); elsewhere the knot itself. Then pool-adjacent-violators so it never falls. A score
    whose answers were mostly wrong maps below 0.5 and no longer counts as explained. Returns []
    for the identity."""
    right = {k: 0.0 for k in KNOTS}
    count = {k: 0 for k in KNOTS}
    for score, ok in pts:
        if score <= 0:
            continue
        knot = min(KNOTS, key=lambda k: abs(k - score))
        right[knot] += ok
        count[knot] += 1
    blocks = []
    for k in KNOTS:
        value = right[k] / count[k] if count[k] >= MIN_POINTS else k
        blocks.append([min(value, k) if k < EXPLAINED else value, max(count[k], 1), [k]])
    merged: list[list] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] > merged[-1][0]:
            (v1, w1, k1), (v2, w2, k2) = merged[-2], merged.pop()
            merged[-1] = [(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, k1 + k2]
    fitted = [(k, round(min(v, k) if k < EXPLAINED else v, 3)) for v, _, ks in merged for k in ks]
    if all(abs(k - v) < 1e-9 for k, v in fitted):
        return []  # the identity: no map at all
    return [(0.0, 0.0)] + fitted


def tune_points(kb) -> list[tuple[float, bool]]:
    """Raw scores (no map) on the tuning half of the real incidents and on the whole logs."""
    raw = replace(kb, calibration=())
    tune = [o for o in run_real(raw) if o.case["split"] != "held-out"]
    return points(tune) + points(run_whole(raw))


def base_rates() -> dict[str, int]:
    """How many incidents of the tuning half each cause caused (the held-out half is never
    counted): the order of weak causes whose confidences tie."""
    counts: dict[str, int] = {}
    for case in corpus.real_cases():
        if case["split"] == "tune" and not case.get("passing") and case["label"] != UNEXPLAINED:
            counts[case["label"]] = counts.get(case["label"], 0) + 1
    return dict(sorted(counts.items()))


SIGNALS = corpus.ROOT / "src" / "faultlens" / "kb" / "causes" / "signals.yaml"
BASE_RATES_NOTE = ("# Incidents of the tuning half per cause, counted by `python bench/accuracy/run.py --fit`: among\n"
                   "# causes below 0.5 whose confidences tie, the more common one is listed first.\n")


def write_calibration(knots: list[tuple[float, float]], rates: dict[str, int] | None = None) -> None:
    """Replace the `calibration:` list (and the `base_rates:` after it) at the end of the shipped
    signals.yaml."""
    text = SIGNALS.read_text(encoding="utf-8")
    head, sep, _ = text.partition("\ncalibration:")
    if not sep:
        raise SystemExit(f"{SIGNALS}: no calibration: list to replace")
    body = "".join(f"  - [{x}, {y}]\n" for x, y in knots) if knots else ""
    tail = "".join(f"  {cause}: {n}\n" for cause, n in (rates or {}).items())
    tail = "\n" + BASE_RATES_NOTE + "base_rates:\n" + tail if tail else ""
    SIGNALS.write_text(head + "\ncalibration:" + ("\n" + body if body else " []\n") + tail, encoding="utf-8")


def summarize(kb) -> dict:
    real = run_real(kb)
    probe = {o.case["id"]: o for o in run_real(kb, probe=True)}
    whole = run_whole(kb)
    splits = {}
    for split in ("held-out", "tune", "in-sample"):
        part = [o for o in real if o.case["split"] == split]
        with_line = [probe[o.case["id"]] for o in part]
        splits[split] = {**rates(part), "probe": rates(with_line)}
    ecosystems = {}
    for o in real:
        ecosystems.setdefault(o.case.get("ecosystem", "?"), []).append(o)
    cidiff = [o for o in whole if o.case.get("truth")]
    synthetic_outcomes = run_synthetic(kb)
    synthetic_probe = run_synthetic(kb, probe=True)
    return {
        "real": {"all": rates(real), **splits,
                 "by_ecosystem": {k: rates(v) for k, v in sorted(ecosystems.items())}},
        "whole_logs": {**rates(whole),
                       "cidiff_truth_shown": sum(bool(truth_in_shown(o)) for o in cidiff), "cidiff": len(cidiff)},
        "false_alarms": [list(x) for x in false_alarms(kb)],
        "passing_logs": len(corpus.passing_logs()),
        "synthetic": {**rates(synthetic_outcomes), "probe": rates(synthetic_probe)},
        "calibration": calibration_table(points([o for o in real if o.case["split"] == "held-out"]) + points(whole)),
        "_outcomes": {"real": real, "whole": whole, "synthetic": synthetic_outcomes},
    }


def _row(name: str, r: dict) -> str:
    if not r.get("n"):
        return f"  {name:<22} n=0"
    top3 = f"{r['top3']:.3f}" if r.get("top3") is not None else "  -  "
    return (f"  {name:<22} n={r['n']:<4} top-1 {r['top1']:.3f}  top-3 {top3}  "
            f"confident-wrong {r['confident_wrong']:.3f} ({r['confident_wrong_n']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true",
                        help="list every case that was not right, except held-out ones (counted only: they are not tuned on)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fit", action="store_true", help="fit the calibration map on raw scores and print it")
    parser.add_argument("--write", action="store_true", help="with --fit: write the map into the shipped signals.yaml")
    args = parser.parse_args()
    if not corpus.DATA.is_dir():  # the noise, whole logs and passing logs come from it: without it every figure is wrong
        print(f"run.py: the shared corpus is not at {corpus.DATA}: set FAULTLENS_CORPUS to its data folder", file=sys.stderr)
        return 2
    kb = load_kb()
    if args.fit:
        knots = fit(tune_points(kb))
        if args.write:
            write_calibration(knots, base_rates())
        if not knots:
            print("calibration: []   # identity: no knot has enough points to move it")
        else:
            print("calibration:   # fitted by bench/accuracy/run.py --fit")
            print("\n".join(f"  - [{x}, {y}]" for x, y in knots))
        print("base_rates:   # tuning-half incidents per cause")
        print("\n".join(f"  {cause}: {n}" for cause, n in base_rates().items()))
        return 0
    s = summarize(kb)
    outcomes = s.pop("_outcomes")
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"Real incidents ({len(corpus.real_cases())} from public threads; split by thread):")
    for split in ("held-out", "tune", "in-sample"):
        print(_row(split, s["real"][split]))
        print(_row(f"  + one ordinary line", s["real"][split]["probe"]))
    print(_row("all", s["real"]["all"]))
    print("  by ecosystem:")
    for eco, r in s["real"]["by_ecosystem"].items():
        print(_row(f"  {eco}", r))
    w = s["whole_logs"]
    print(f"Whole real failing logs: {w['n']}, right or unexplained {w['top1']:.3f}, confident wrong {w['confident_wrong_n']};"
          f" CiDiff ground truth in the first {SHOWN_LINES} lines shown: {w['cidiff_truth_shown']} of {w['cidiff']}")
    print(f"Passing logs and ordinary lines: {s['passing_logs']} logs + {len(corpus.ORDINARY)} lines, "
          f"{len(s['false_alarms'])} false alarms")
    for name, cid, conf in s["false_alarms"]:
        print(f"  FALSE ALARM {name}: {cid} {conf}")
    print(_row("Synthetic (in-sample)", s["synthetic"]))
    print(_row("  + one ordinary line", s["synthetic"]["probe"]))
    print("Calibration (held-out real + whole logs, every reported cause):")
    for b in s["calibration"]:
        print(f"  {b['bucket']:<11} n={b['n']:<4} mean {b['mean_confidence']:.3f}  right {b['right']:.3f}  gap {b['gap']:.3f}")
    if args.misses:
        hidden = 0
        for group, items in outcomes.items():
            for o in items:
                if not o.right or o.confident_wrong:
                    if o.case.get("split") == "held-out":
                        hidden += 1
                        continue
                    print(f"MISS [{group}] {o.case['id']} ({o.case.get('split', '')}): want {o.label}, got {o.got[:3]}")
        print(f"({hidden} held-out misses, probe included, not listed: the held-out half is read only as totals)")
        for o in outcomes["whole"]:
            if truth_in_shown(o) is False:
                print(f"TRUTH NOT SHOWN {o.case['id']}: shown {o.shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
