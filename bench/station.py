"""A deterministic test-station log of any size: realistic noise, near misses, rare real failures.

    python bench/station.py /tmp/station-1g.log --size 1GiB
    python bench/station.py /tmp/station-100m.log --size 100MiB --seed 7

Noise is what a station prints all night: step results with measurements, heartbeats, retries
that succeeded, fixture debug dumps, an occasional long JSON status line. Near misses look like
failures to a naive grep and are not: `denied=0`, `0 errors`, `timeout=30s`, `permission check
ok`, `retry succeeded`. The rare real failures (PLANTED) sit at fixed fractions of the file, so
a tool that only reads the end, or only the start, misses some. Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

START = datetime(2026, 11, 25, 0, 0, 0)
LINES_PER_SECOND = 40
POOL = 50_000  # rendered message bodies the log is drawn from
NOISE = (
    (30, "executive[{pid}]: INFO step {step}: PASS ({meas}={v:.3f} within [{lo:.2f}, {hi:.2f}])"),
    (10, "executive[{pid}]: INFO step {step}: start (fixture FX-{fx:02d}, dut SN{sn:08d})"),
    (8, "station-agent[902]: INFO heartbeat ok, queue={q}, denied=0, errors=0"),
    (6, "executive[{pid}]: WARN step {step}: timeout on port {port}, retry 1 of 3; retry succeeded"),
    (6, "executive[{pid}]: DEBUG fixture FX-{fx:02d} contact resistance {r} mOhm, raw 0x{raw:08x}"),
    (4, "deployd[812]: INFO permission check ok for /opt/ts/releases/base-4.1.1/bin/{tool} (mode 0755)"),
    (4, "executive[{pid}]: INFO step {step}: 0 errors, 0 warnings, timeout=30s"),
    (3, "kernel: usb 1-{port}: new high-speed USB device number {q} using xhci_hcd"),
    (3, "sshd[{pid}]: Accepted publickey for tester from 10.20.{fx}.{q} port {port2} ssh2"),
    (2, "station-agent[902]: INFO status {{\"station\":\"ts-07\",\"slot\":{fx},\"temp_c\":{v:.1f},"
        "\"fans\":[{q},{r},{port2}],\"last_error\":null,\"disk_free_gb\":{sn}}}"),
    (1, "executive[{pid}]: INFO limits table loaded: 412 rows, no access denied entries"),
)
STEPS = ("power_on", "rf_sweep", "io_loopback", "thermal", "flash_fw", "calibrate", "audio_path")
MEASURES = ("vbus", "iq_gain", "tx_power", "temp", "offset_mv")
TOOLS = ("executive", "station-agent", "start-station.sh", "calibrate")
# (fraction of the file, line): real failures of the catalog's causes, spread over the file
PLANTED = (
    (0.05, "executive[4411]: ERROR open /opt/ts/releases/base-4.2.0/etc/station.cfg: Permission denied"),
    (0.30, "deployd[812]: ERROR write /var/lib/ts/results/run-0412.json: No space left on device"),
    (0.55, "kernel: Out of memory: Killed process 4411 (executive) total-vm:8241212kB, anon-rss:7912344kB"),
    (0.80, "executive[4412]: ERROR GENERIC FAILURE: station not ready (code 0x2001)"),
    (0.999, "start-station.sh[4410]: /opt/ts/releases/base-4.2.0/bin/executive: Permission denied"),
)


def parse_size(text: str) -> int:
    units = {"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "KB": 10**3, "MB": 10**6, "GB": 10**9, "B": 1}
    upper = text.strip().upper()
    for unit, factor in units.items():
        if upper.endswith(unit):
            return int(float(upper[: -len(unit)]) * factor)
    return int(upper)


def _pool(rng: random.Random) -> list[str]:
    weights = [w for w, _ in NOISE]
    formats = rng.choices([f for _, f in NOISE], weights, k=POOL)
    return [f.format(pid=rng.randint(1000, 30000), step=rng.choice(STEPS), meas=rng.choice(MEASURES),
                     v=rng.uniform(0, 100), lo=rng.uniform(0, 1), hi=rng.uniform(1, 2), fx=rng.randint(1, 48),
                     sn=rng.randint(0, 99_999_999), q=rng.randint(0, 40), port=rng.randint(1, 8),
                     port2=rng.randint(1024, 65535), r=rng.randint(10, 900), raw=rng.getrandbits(32),
                     tool=rng.choice(TOOLS))
            for f in formats]


def generate(out: Path, size: int, seed: int = 1) -> list[tuple[int, str]]:
    """Write the log; return the planted failures as (line number, text)."""
    rng = random.Random(seed)
    bodies = _pool(rng)
    planted = sorted((int(fraction * size), text) for fraction, text in PLANTED)
    found: list[tuple[int, str]] = []
    written, line_no, second = 0, 0, 0
    host = "ts-host-07"
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        while written < size:
            stamp = (START + timedelta(seconds=second)).isoformat() + "Z " + host + " "
            second += 1
            lines = [stamp + body for body in rng.choices(bodies, k=LINES_PER_SECOND)]
            while planted and planted[0][0] <= written:
                _, text = planted.pop(0)
                at = rng.randrange(len(lines) + 1)
                lines.insert(at, stamp + text)
                found.append((line_no + at + 1, stamp + text))
            block = "\n".join(lines) + "\n"
            fh.write(block)
            written += len(block)
            line_no += len(lines)
    tmp.replace(out)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", default="100MiB", help="e.g. 100MiB, 1GiB, 4GiB")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for line, text in generate(args.out, parse_size(args.size), args.seed):
        print(f"{args.out}:{line}: {text}", file=sys.stderr)


if __name__ == "__main__":
    main()
