"""faultlens collect and its POSIX sh script: the bundle made here is explained by explain."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from faultlens.collect import script
from faultlens.parse.collected import records
from faultlens.pipeline import explain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def failing_host(tmp_path: Path) -> tuple[Path, Path]:
    """A release below a private directory, and the log of the station that could not read it."""
    release = tmp_path / "opt" / "ts" / "releases" / "base-4.2.0" / "etc"
    release.mkdir(parents=True)
    (release / "station.cfg").write_text("fixture = FX-07\n")
    # modes set, not left to the umask the suite runs under: only /opt/ts is private
    for folder in (tmp_path / "opt", tmp_path / "opt" / "ts" / "releases", release.parent, release):
        os.chmod(folder, 0o755)
    os.chmod(release / "station.cfg", 0o644)
    os.chmod(tmp_path / "opt" / "ts", 0o700)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "station.log").write_text(
        f"2026-11-25T03:08:02Z executive[1402]: ERROR open {release}/station.cfg: permission denied\n")
    return tmp_path / "opt", logs


def run_script(text: str, out: Path, cwd: Path) -> subprocess.CompletedProcess:
    """On a host whose umask is 022 (the script records it), whatever the suite's own umask is."""
    return subprocess.run(["sh", "-s"], input=text, text=True, capture_output=True, cwd=cwd,
                          env={**os.environ, "FAULTLENS_OUT": str(out)}, preexec_fn=lambda: os.umask(0o022))


def test_script_is_posix_sh(tmp_path: Path):
    checked = subprocess.run(["sh", "-n"], input=script(["/opt"], ["/var/log/x.log"], "tester"), text=True,
                             capture_output=True)
    assert checked.returncode == 0, checked.stderr


def _service_account() -> str:
    """An account of this host that does not own the test's files (the suite may run as nobody)."""
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    for name in ("nobody", "daemon", "bin"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if name != me:
            return name
    pytest.skip("no account other than the one running the tests")


def test_the_scripts_bundle_is_explained(failing_host, tmp_path: Path, kb):
    opt, logs = failing_host
    bundle = tmp_path / "bundle.tgz"
    account = _service_account()
    done = run_script(script([str(opt)], [str(logs)], account), bundle, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(bundle)
    names = tarfile.open(bundle).getnames()
    assert {"bundle/faultlens-manifest.txt", "bundle/host/id.txt", "bundle/host/umask.txt", "bundle/host/df.txt",
            "bundle/listings/1.txt"} <= set(names)
    result = explain([str(bundle)], kb)
    assert result.account.name == account
    top = result.findings[0]
    assert (result.verdict, top.id) == ("explained", "dir-not-traversable")
    assert {Path(e.source.split(":", 1)[1]).name for e in top.evidence} >= {"1.txt"}


def test_collects_nothing_outside_the_given_paths_and_keeps_log_tails(failing_host, tmp_path: Path):
    opt, logs = failing_host
    (logs / "big.log").write_bytes(b"x" * 5000 + b"\nthe end\n")
    (tmp_path / "secret.txt").write_text("not to be collected\n")
    bundle = tmp_path / "b.tgz"
    assert run_script(script([str(opt / "ts")], [str(logs / "big.log")], "nobody", max_log_bytes=1024), bundle, tmp_path).returncode == 0
    with tarfile.open(bundle) as tar:
        listing = tar.extractfile("bundle/listings/1.txt").read().decode()
        big = [m for m in tar.getmembers() if m.name.endswith("big.log")]
        assert len(big) == 1 and big[0].size == 1024
        assert tar.extractfile(big[0]).read().endswith(b"the end\n")
        assert not [n for n in tar.getnames() if "secret" in n or n.endswith("station.log")]
    found, bad = records(listing)
    assert found and not bad and all(r.name.startswith(os.fsencode(opt / "ts")) for r in found)


def test_hostile_path_is_quoted(tmp_path: Path):
    odd = tmp_path / "it's $(touch pwned) `x`; dir"
    odd.mkdir()
    bundle = tmp_path / "b.tgz"
    assert run_script(script([str(odd)], [], "nobody"), bundle, tmp_path).returncode == 0
    assert not (tmp_path / "pwned").exists()
    found, _ = records(tarfile.open(bundle).extractfile("bundle/listings/1.txt").read().decode())
    assert [r.name for r in found] == [os.fsencode(odd)]


def test_collect_command(failing_host, tmp_path: Path):
    opt, logs = failing_host
    out = tmp_path / "c.tgz"
    done = subprocess.run([sys.executable, "-m", "faultlens", "collect", str(opt), "--log", str(logs), "--user", "nobody",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout == f"{out}\n" and out.exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]
    missing = subprocess.run([sys.executable, "-m", "faultlens", "collect", "/no/such/dir"], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr == "faultlens: error: /no/such/dir: no such file or directory\n"


def test_the_script_gathers_the_snapshot_files_this_machine_has(tmp_path: Path):
    """Issue 14 point 4: each snapshot file is there wherever its command or /proc file is, and the
    manifest says for every one whether it was gathered, skipped or failed."""
    import shutil

    from faultlens.collect import COMMANDS

    target = tmp_path / "data"
    target.mkdir()
    bundle = tmp_path / "s.tgz"
    done = run_script(script([str(target)], [], "nobody", unit="no-such-unit.service", pid=os.getpid()), bundle, tmp_path)
    assert done.returncode == 0, done.stderr
    with tarfile.open(bundle) as tar:
        names = set(tar.getnames())
        manifest = tar.extractfile("bundle/faultlens-manifest.txt").read().decode()
        status = tar.extractfile("bundle/snapshot/pid-status.txt").read().decode()
    assert f"\nPid:\t{os.getpid()}\n" in status
    expected = {"snapshot/ulimit.txt", "snapshot/pid-status.txt"}
    if shutil.which("findmnt"):
        expected.add("snapshot/mounts.txt")
    if os.access("/proc/self/mountinfo", os.R_OK):
        expected |= {"snapshot/mountinfo.txt", "snapshot/proc-mounts.txt"}
    if shutil.which("sysctl") or os.path.isdir("/proc/sys/fs/inotify"):
        expected.add("snapshot/inotify.txt")
    if shutil.which("getfacl"):
        expected.add("snapshot/getfacl.txt")
    assert {f"bundle/{n}" for n in expected} <= names
    for name, _, _ in COMMANDS:
        assert any(line.endswith(name) or f"{name} " in line for line in manifest.splitlines()
                   if line.startswith(("gathered: ", "skipped: ", "empty: "))), name
    assert "gathered: snapshot/pid-status.txt" in manifest


def test_a_bad_pid_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "faultlens", "collect", "--pid", "0"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == "faultlens: error: --pid must be a process id, not 0\n"
