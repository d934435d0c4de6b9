"""No false alarm on healthy trees nobody here built: a system library folder, Python's stdlib,
and the virtualenv running these tests. A CI gate that fails healthy trees gets switched off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def errors_for_nobody(folder: str) -> tuple[int, dict]:
    out = subprocess.run([sys.executable, "-m", "faultlens", "check", folder, "--user", "nobody", "--group", "nogroup",
                          "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    return out.returncode, {f["check"]: [e["path"] for e in f["entries"][:5]] for f in doc["findings"] if f["severity"] == "error"}


def _made_readable(folder: Path) -> bool:
    """Built for everyone to read (not under a restrictive umask, as a test machine may be)."""
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in (folder, *[c for c in folder.iterdir() if c.is_dir()][:20]))


LIBRARY_FOLDERS = [f for f in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64") if Path(f).is_dir()]


@pytest.mark.skipif(not LIBRARY_FOLDERS, reason="no system library folder on this host")
def test_system_library_folder_has_no_error():
    """1,103 exec-bit errors before (every .so, .o and .a without x)."""
    assert errors_for_nobody(LIBRARY_FOLDERS[0]) == (0, {})


def test_python_stdlib_has_no_error():
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    if not _made_readable(stdlib):
        pytest.skip(f"{stdlib} was installed under a restrictive umask")
    assert errors_for_nobody(str(stdlib)) == (0, {})


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="not running in a virtualenv")
def test_this_virtualenv_has_no_error():
    venv = Path(sys.prefix)
    if not _made_readable(venv):
        pytest.skip(f"{venv} was made under a restrictive umask: nobody really cannot read it")
    assert errors_for_nobody(str(venv)) == (0, {})
