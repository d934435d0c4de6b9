"""Compiled grammars are cached between runs, atomically, and optional."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = ("from faultlens.parse import snapshot_parser; "
         "print(len(snapshot_parser('ls')('-rw-r--r-- 1 a b 1 Nov 25 02:58 x\\n', 's').entries))")


def probe(cache: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True).stdout


def test_cache_is_written_once_and_reused(tmp_path: Path):
    assert probe(tmp_path) == "1\n"
    files = sorted((tmp_path / "faultlens" / "grammars").iterdir())
    assert [f.name.split("-")[0] for f in files] == ["ls"]  # no temporary file left behind
    stamp = files[0].stat().st_mtime_ns
    assert probe(tmp_path) == "1\n"
    assert files[0].stat().st_mtime_ns == stamp


def test_unwritable_cache_folder_is_not_an_error(tmp_path: Path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    assert probe(blocker) == "1\n"
