"""The synthetic table: the first benchmark's 93 cases (cases.yaml), one failure line each from the
corpus, embedded in templated noise (the `NOISE` lines below). In-sample: most cases come from
threads the causes cite. Kept as a second table beside the real-first ones (run.py), never the
headline. Deterministic: the noise around each case is seeded by the case id.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from wrap import wrap

HERE = Path(__file__).resolve().parent


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


def noise_line(rng: random.Random) -> str:
    return rng.choice(NOISE).format(sn=f"SN{rng.randint(10000, 99999)}", fx=rng.randint(1, 12), v=rng.uniform(4.9, 5.1),
                                    ms=rng.randint(20, 900), n=rng.randint(1, 8), pid=rng.randint(1000, 30000),
                                    gb=rng.randint(40, 400))


def build(case: dict, extra: str | None = None) -> dict[str, str]:
    """The case's files: its log in its format, wrapped in seeded noise, plus its snapshot files."""
    name, log = wrap(case["format"], random.Random(case["id"]), noise_line, case["lines"], extra)
    return {name: log, **case.get("files", {})}


def cases() -> list[dict]:
    return yaml.safe_load((HERE / "cases.yaml").read_text())
