"""faultlens collect and its --script against a hostile tree (issue 13: H1, H2, M14).

Both collectors (the command, and the POSIX sh script it prints) run against a tree whose log
folder holds a newline name followed by an absolute path, leading-dash names, a FIFO, a device
node (as root), symlinks out of the tree and an unreadable file; as the user running the suite
and, as root, also as nobody. Nothing outside is copied, nothing hangs, nothing is deleted, and
the bundle's listing names every file exactly.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from faultlens.collect import script
from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.parse import snapshot_parser
from faultlens.pipeline import explain

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"TOP SECRET outside the log folder"
NOBODY = 65534
HANG = 600  # seconds: only a hang comes near it


def _fsencode(p: Path | str) -> bytes:
    return os.fsencode(str(p))


def hostile_tree(base: Path, owner: int | None = None) -> dict:
    """The tree, and what a collector may copy from it (log contents) and must list. Made under
    umask 022 whatever the suite runs under: the modes are part of what the bundle explains."""
    mask = os.umask(0o022)
    try:
        return _hostile_tree(base, owner)
    finally:
        os.umask(mask)


def _hostile_tree(base: Path, owner: int | None = None) -> dict:
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET + b"\n")
    os.mkfifo(base / "fifo")
    release = base / "opt" / "ts" / "releases" / "base-4.2.0" / "etc"
    release.mkdir(parents=True)
    (release / "station.cfg").write_text("fixture = FX-07\n")
    logs = base / "logs"
    logs.mkdir()
    (logs / "app.log").write_text(
        f"2026-11-25T03:08:02Z executive[1402]: ERROR open {release}/station.cfg: permission denied\n")
    forged = os.path.join(_fsencode(logs), b"x\n" + _fsencode(outside))  # "logs/x\n/abs/outside"
    os.makedirs(forged)
    with open(os.path.join(forged, b"secret.txt"), "wb") as fh:
        fh.write(b"decoy\n")
    fifo_forged = os.path.join(_fsencode(logs), b"y\n" + _fsencode(base))  # "logs/y\n/abs" + "/fifo"
    os.makedirs(fifo_forged)
    with open(os.path.join(fifo_forged, b"fifo"), "wb") as fh:
        fh.write(b"decoy fifo\n")
    (logs / "-delete").write_text("dash name\n")
    (logs / "-rf").mkdir()
    (logs / "-rf" / "(").write_text("paren name\n")
    os.mkfifo(logs / "pipe.log")
    (logs / "link.log").symlink_to(outside / "secret.txt")
    (logs / "linkdir").symlink_to(outside)
    (logs / "private.log").write_text("private\n")
    device = os.geteuid() == 0
    if device:
        os.mknod(logs / "zero.log", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
    (base / "-x").mkdir()  # a listed path with a leading dash
    (base / "-x" / "-delete").write_text("listed only\n")
    if owner is not None:
        for dirpath, dirnames, filenames in os.walk(base):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), owner, owner)
        os.lchown(base, owner, owner)
    (base / "-delete").write_text("dash top\n")  # named as --log -delete from base
    if owner is not None:
        os.lchown(base / "-delete", owner, owner)
    os.chmod(base / "opt" / "ts", 0o700)
    os.chmod(logs / "private.log", 0o000)
    readable = {b"2026-11-25T03:08:02Z", b"decoy\n", b"decoy fifo\n", b"dash name\n", b"paren name\n", b"dash top\n"}
    return {"readable": readable, "forged": forged, "outside": outside}


def tree_state(base: Path) -> dict:
    """Every path below base with its type and size: a collector must change none of it."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(_fsencode(base)):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, _fsencode(base))
            if rel.split(b"/")[0] not in (b"out", b"tmp"):
                st = os.lstat(p)
                state[rel] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size if stat.S_ISREG(st.st_mode) else 0)
    return state


def _as_nobody() -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def run_collector(kind: str, base: Path, out: Path, prefix: list[str], user: str = "nobody") -> subprocess.CompletedProcess:
    paths = [str(base / "opt"), "-x", "logs", "logs/-rf"]
    logs = ["logs", "-delete"]  # "-delete" relative to the cwd: the planted file, never find's action
    env = {**os.environ, "TMPDIR": str(base / "tmp"), "XDG_CACHE_HOME": str(base / "tmp")}
    if kind == "script":
        text = script(paths, logs, user)
        return subprocess.run([*prefix, "sh", "-s"], input=text, text=True, capture_output=True, cwd=base,
                              env={**env, "FAULTLENS_OUT": str(out)}, timeout=HANG)
    return subprocess.run([*prefix, sys.executable, "-m", "faultlens", "collect", "--user", user,
                           *[a for log in logs for a in ("--log", log)], "--out", str(out), "--", *paths],
                          text=True, capture_output=True, cwd=base, env={**env, "PYTHONPATH": str(ROOT / "src")},
                          timeout=HANG)


def check_bundle(bundle: Path, base: Path, tree: dict, kb, private_readable: bool) -> None:
    with tarfile.open(bundle) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        assert all(m.isfile() or m.isdir() for m in tar.getmembers())
    assert not [name for name, data in members.items() if SECRET in data]
    copied = {name: data for name, data in members.items() if name.startswith("bundle/logs/")}
    expected = set(tree["readable"]) | ({b"private\n"} if private_readable else set())
    got = {data if not data.startswith(b"2026-11-25T03:08:02Z") else b"2026-11-25T03:08:02Z" for data in copied.values()}
    assert got == expected, sorted(copied)
    manifest = members["bundle/faultlens-manifest.txt"].decode()
    assert all(line.split(":", 1)[0] in ("faultlens-bundle", "collector", "host", "created", "service_user", "gathered",
                                         "skipped", "empty", "command failed", "listed", "log", "error")
               for line in manifest.splitlines()), manifest
    # the listings: known by content, every name exact, the newline name one entry, no forged one
    listed = {}
    for name, data in members.items():
        if name.startswith("bundle/listings/"):
            kind = sniff(name, data, to_text(data))
            assert (kind.kind, kind.format) == ("snapshot", "faultlens-listing")
            records = snapshot_parser(kind.format)(to_text(data), name)
            assert not records.problems
            listed.update({e.path: e for e in records.entries})
    forged = os.path.relpath(tree["forged"], _fsencode(base)).decode()
    assert forged in listed and listed[forged].type == "dir"
    assert str(tree["outside"]) not in listed and str(tree["outside"] / "secret.txt") not in listed
    assert listed["-x/-delete"].type == "file" and listed["-x"].type == "dir"
    assert listed["logs/-rf/("].type == "file" and listed["logs/pipe.log"].type == "fifo"
    result = explain([str(bundle)], kb)
    assert (result.verdict, result.findings[0].id) == ("explained", "dir-not-traversable")


def _runners() -> list[str]:
    return ["command", "script"]


@pytest.mark.skipif(shutil.which("find") is None, reason="no find here")
@pytest.mark.parametrize("kind", _runners())
def test_hostile_tree_as_the_suite_user(kind, tmp_path: Path, kb):
    base = tmp_path / "host"
    base.mkdir()
    (base / "tmp").mkdir()
    tree = hostile_tree(base)
    before = tree_state(base)
    bundle = base / "out" / "bundle.tgz"
    bundle.parent.mkdir()
    done = run_collector(kind, base, bundle, [])
    assert done.returncode == 0, done.stderr
    assert tree_state(base) == before
    assert list((base / "tmp").iterdir()) == [] and [p.name for p in bundle.parent.iterdir()] == ["bundle.tgz"]
    check_bundle(bundle, base, tree, kb, private_readable=os.geteuid() == 0)


def _nobody_can_run(argv: list[str]) -> bool:
    try:
        return subprocess.run([*_as_nobody(), *argv], capture_output=True, timeout=HANG).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(os.geteuid() != 0, reason="running as another user needs root")
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="no setpriv here")
@pytest.mark.skipif(subprocess.run(["id", "daemon"], capture_output=True).returncode != 0, reason="no daemon account")
@pytest.mark.parametrize("kind", _runners())
def test_hostile_tree_as_nobody(kind, kb):
    if kind == "command" and not _nobody_can_run([sys.executable, "-c", "import faultlens"]):
        pytest.skip("nobody cannot run this Python (its folder is private)")
    base = Path(tempfile.mkdtemp(prefix="faultlens-hostile-", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        os.chmod(base, 0o755)
        if not _nobody_can_run(["test", "-x", str(base)]):
            pytest.skip("nobody cannot reach a temporary folder here")
        tree = hostile_tree(base, owner=NOBODY)
        before = tree_state(base)
        bundle = base / "out" / "bundle.tgz"
        for d in (base / "out", base / "tmp"):
            d.mkdir()
            os.chown(d, NOBODY, NOBODY)
        # the collector runs as nobody, who owns the tree; the service account is another one
        done = run_collector(kind, base, bundle, _as_nobody(), user="daemon")
        assert done.returncode == 0, done.stderr
        assert tree_state(base) == before
        assert list((base / "tmp").iterdir()) == [] and [p.name for p in bundle.parent.iterdir()] == ["bundle.tgz"]
        manifest = tarfile.open(bundle).extractfile("bundle/faultlens-manifest.txt").read().decode()
        assert "private.log" in manifest and "Permission denied" in manifest  # noted, not fatal
        check_bundle(bundle, base, tree, kb, private_readable=False)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _fake_journalctl(folder: Path) -> None:
    folder.mkdir()
    fake = folder / "journalctl"
    fake.write_text(f'#!/bin/sh\necho $$ > "{folder}/pid"\nexec sleep {HANG}\n')
    fake.chmod(0o755)


def _wait_for(path: Path) -> None:
    while not path.exists() or not path.read_text().strip():
        time.sleep(0.05)


@pytest.mark.parametrize("kind", _runners())
def test_a_stopped_run_leaves_nothing_behind(kind, tmp_path: Path):
    """A collector stopped mid-run (here while journalctl runs) removes its temporary folder and
    partial bundle, and the command started for it does not outlive it."""
    bin_dir = tmp_path / "bin"
    _fake_journalctl(bin_dir)
    (tmp_path / "tmp").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.log").write_text("hello\n")
    out = tmp_path / "out" / "b.tgz"
    out.parent.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(tmp_path / "tmp"),
           "PYTHONPATH": str(ROOT / "src")}
    if kind == "script":
        proc = subprocess.Popen(["sh", "-c", script([], [str(tmp_path / "logs")], "nobody")], text=True,
                                env={**env, "FAULTLENS_OUT": str(out)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        _wait_for(bin_dir / "pid")
        os.killpg(proc.pid, signal.SIGTERM)  # what a terminal's Ctrl-C or `timeout` sends
    else:
        proc = subprocess.Popen([sys.executable, "-m", "faultlens", "collect", "--log", str(tmp_path / "logs"),
                                 "--out", str(out)], text=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait_for(bin_dir / "pid")
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=HANG)
    assert proc.returncode != 0
    if kind == "command":
        assert proc.returncode == 2 and err == "faultlens: error: collect stopped by signal 15; no bundle written\n"
    assert list((tmp_path / "tmp").iterdir()) == [] and list(out.parent.iterdir()) == []
    sleeper = int((bin_dir / "pid").read_text())
    for _ in range(HANG * 20):
        try:
            os.kill(sleeper, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the run's journalctl outlived it")
