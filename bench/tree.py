"""A deterministic release tree of any number of files, for `faultlens check` at scale.

    python bench/tree.py /tmp/release-100k --files 100000

Directories four deep (bin/, lib/, etc/, share/ with modules and fixtures), mostly small data
files (0644), scripts with a shebang (0755), a few executables, and the defects check exists
for: a script without its exec bit, one with CRLF line ends, a private (0600) config, a 0700
directory. Same arguments, same tree.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from pathlib import Path

DEFECTS = {
    "bin/start-station.sh": (b"#!/bin/sh\r\nexec ./executive\r\n", 0o755),
    "bin/calibrate": (b"#!/usr/bin/env python3\nprint('cal')\n", 0o644),
    "etc/station.cfg": (b"[station]\nid = 7\n", 0o600),
}


def generate(root: Path, files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    tmp = root.with_name(root.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    made = 0
    for rel, (data, mode) in DEFECTS.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        made += 1
    private = tmp / "share" / "secrets"
    private.mkdir(parents=True)
    private.chmod(0o700)
    top = ("lib", "share", "fixtures", "modules")
    while made < files:
        d = tmp / rng.choice(top) / f"pkg{rng.randrange(40):02d}" / f"mod{rng.randrange(25):02d}"
        d.mkdir(parents=True, exist_ok=True)
        for _ in range(rng.randint(5, 30)):
            kind = rng.random()
            if kind < 0.08:
                name, data, mode = f"run{made}.sh", b"#!/bin/sh\necho ok\n", 0o755
            elif kind < 0.1:
                name, data, mode = f"tool{made}", b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(64)), 0o755
            else:
                name, data, mode = f"data{made}.{rng.choice(('csv', 'json', 'py', 'txt'))}", b"x" * rng.randrange(10, 400), 0o644
            path = d / name
            path.write_bytes(data)
            os.chmod(path, mode)
            made += 1
            if made >= files:
                break
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.out, args.files, args.seed)


if __name__ == "__main__":
    main()
