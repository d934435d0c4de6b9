"""A deterministic test floor: one night of runs across stations, for the report and its benchmark.

    python bench/floor.py OUT --runs 40 --stations 8 --log-kb 8      # samples/floor-night
    python bench/floor.py /tmp/floor10k --runs 10000 --log-kb 500     # ~5 GB for bench/report

The night: base-4.1.1 until 02:58, then base-4.2.0, packed under umask 077 by jdoe, reaches every
station and every run after it fails with a generic error (the incident). Before it: mostly
passing runs, a full disk on one station, real test failures now and then, and a few failures
with a new signature no cause knows (a firmware CRC rejected by the DUT bootloader). Every 7th
run has no run.yaml (its host and times must be inferred from the log); one run is a truncated
tarball. Same arguments, same floor, byte for byte.
"""

from __future__ import annotations

import argparse
import io
import random
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

NIGHT_START = datetime(2026, 11, 24, 20, 0, 0)
NIGHT_HOURS = 10
BAD_RELEASE_AT = datetime(2026, 11, 25, 2, 58, 0)
NOISE = (
    "executive[{pid}]: INFO step power_on: PASS (vbus={v:.2f}V)",
    "executive[{pid}]: INFO step rf_sweep: PASS (worst margin {m:.1f} dB, denied=0 retries=0)",
    "executive[{pid}]: INFO step io_loopback: PASS",
    "executive[{pid}]: WARN step io_loopback: timeout on port 3, retry 1 of 3; retry succeeded",
    "executive[{pid}]: INFO step thermal: PASS (max {t:.1f}C, no errors)",
    "station-agent[902]: INFO heartbeat ok, queue=0",
    "executive[{pid}]: DEBUG fixture FX-{fx:02d} contact resistance {r} mOhm",
)


def _listing(release: str, owner: str, bad: bool) -> str:
    d, x, f = ("drwx------", "-rwx------", "-rw-------") if bad else ("drwxr-xr-x", "-rwxr-xr-x", "-rw-r--r--")
    stamp = "Nov 25 02:58" if bad else "Nov 12 14:40"
    return (f"/opt/ts/releases/{release}:\n{d} 2 {owner} {owner} 4096 {stamp} bin\n{d} 2 {owner} {owner} 4096 {stamp} etc\n\n"
            f"/opt/ts/releases/{release}/bin:\n{x} 1 {owner} {owner} 9204 {stamp} executive\n"
            f"{x} 1 {owner} {owner} 812 {stamp} start-station.sh\n\n"
            f"/opt/ts/releases/{release}/etc:\n{f} 1 {owner} {owner} 1204 {stamp} station.cfg\n"
            f"{f} 1 {owner} {owner} 2210 {stamp} limits.csv\n")


def _run(rng: random.Random, n: int, station: int, start: datetime, log_kb: int) -> tuple[str, dict[str, str], dict]:
    host = f"ts-host-{station:02d}"
    name = f"station-{station:02d}"
    release = "base-4.2.0" if start >= BAD_RELEASE_AT else "base-4.1.1"
    pid = rng.randint(1000, 30000)
    t = start
    lines: list[str] = []

    def log(text: str, step: int = 5) -> None:
        nonlocal t
        t += timedelta(seconds=step)
        lines.append(f"{t.isoformat()}Z {host} {text}")

    log(f"executive[{pid}]: INFO starting executive (release {release})", 1)
    kind = "pass"
    if release == "base-4.2.0":
        kind = "umask"
    elif station == 3 and start.hour in (22, 23, 0, 1):
        kind = "disk"
    elif station in (5, 6) and start.hour in (20, 21, 0, 1):
        kind = "firmware"
    elif (station in (2, 7) and start.hour in (22, 23)) or rng.random() < 0.03:
        kind = "assertion"
    size, target = 0, log_kb * 1024 * 0.95
    while size < target:
        log(rng.choice(NOISE).format(pid=pid, v=rng.uniform(4.9, 5.1), m=rng.uniform(1, 4), t=rng.uniform(50, 65),
                                     fx=station, r=rng.randint(20, 60)), rng.randint(1, 4))
        size += len(lines[-1]) + 1
    files: dict[str, str] = {}
    if kind == "umask":
        log(f"executive[{pid}]: ERROR GENERIC FAILURE: station not ready (code 0x2001)")
        files["snapshot/ls-lR.txt"] = _listing(release, "jdoe", bad=True)
        files["snapshot/id.txt"] = "uid=1001(tester) gid=1001(tester) groups=1001(tester),1005(floor)\n"
    elif kind == "disk":
        log(f"executive[{pid}]: ERROR cannot write results: OSError: [Errno 28] No space left on device: '/var/lib/ts/results/{n}.json'")
    elif kind == "firmware":
        log(f"executive[{pid}]: ERROR fixture FX-{station:02d} firmware CRC 0x{rng.randint(0, 2**32):08x} rejected by DUT bootloader")
    elif kind == "assertion":
        log(f"executive[{pid}]: ERROR step rf_sweep: AssertionError: margin {rng.uniform(-2, 0):.2f} dB below limit 0.00 dB")
    else:
        log(f"executive[{pid}]: INFO dut SN{station:02d}{n:05d} PASS, 0 errors")
    files["station.log"] = "\n".join(lines) + "\n"
    meta = {"host": host, "station": name, "started_at": start.isoformat() + "Z", "finished_at": t.isoformat() + "Z",
            "release": release, "result": "pass" if kind == "pass" else "fail"}
    return f"run-{name}-{n:05d}", files, meta


def generate(out: Path, runs: int, stations: int, log_kb: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    step = timedelta(seconds=NIGHT_HOURS * 3600 / max(1, runs // stations))
    for n in range(runs):
        station = n % stations + 1
        start = NIGHT_START + step * (n // stations) + timedelta(seconds=station * 7 + rng.randint(0, 5))
        name, files, meta = _run(rng, n, station, start, log_kb)
        if n == runs // 3:  # one run arrives as a truncated tarball
            (out / f"{name}.tgz").write_bytes(_tarball(files)[:300])
            continue
        folder = out / name
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text)
        if n % 7 != 3:
            (folder / "run.yaml").write_text("".join(f"{k}: {v}\n" for k, v in meta.items()))


def _tarball(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, text in files.items():
            info = tarfile.TarInfo(rel)
            data = text.encode()
            info.size, info.mtime = len(data), int(NIGHT_START.timestamp())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--stations", type=int, default=8)
    parser.add_argument("--log-kb", type=int, default=8, help="approximate size of each run's log")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.runs, args.stations, args.log_kb, args.seed)


if __name__ == "__main__":
    main()
