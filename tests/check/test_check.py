"""`faultlens check`: packages built under umask 077 fail, under 022 pass; every rule; formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "samples" / "packages"


def faultlens(*args: str) -> subprocess.CompletedProcess:
    """`--user tester` alone would take tester's groups from this host's accounts (a CI host may
    have a tester, another not): a test names the groups, `--group tester` unless it gives some."""
    if "--user" in args and "--group" not in args:
        args = (*args, "--group", "tester")
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def build(tmp: Path, umask: str, owner: str) -> Path:
    """Pack a small release the way a person would: under a umask, with GNU tar."""
    script = f"""
        umask {umask}
        mkdir -p base/bin base/etc
        printf '#!/bin/sh\\necho ok\\n' > base/bin/start.sh && chmod +x base/bin/start.sh
        printf 'fixture = FX-07\\n' > base/etc/station.cfg
        tar --owner={owner} --group={owner} -czf release.tgz base
    """
    subprocess.run(["sh", "-c", script], cwd=tmp, check=True)
    return tmp / "release.tgz"


def test_package_built_under_umask_077_fails_with_the_unreadable_files_named(tmp_path: Path):
    out = faultlens("check", str(build(tmp_path, "077", "jdoe")), "--user", "tester")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "unreadable: 2 entries tester cannot read (1 x 0600 jdoe:jdoe, 1 x 0700 jdoe:jdoe)" in out.stdout
    assert "base/etc/station.cfg" in out.stdout and "base/bin/start.sh" in out.stdout
    assert "restrictive-umask: built under umask 077" in out.stdout


def test_same_package_under_umask_022_passes(tmp_path: Path):
    out = faultlens("check", str(build(tmp_path, "022", "tester")), "--user", "tester")
    assert out.returncode == 0, out.stdout
    assert "for tester: ok" in out.stdout


def test_shipped_sample_pair():
    assert faultlens("check", str(PACKAGES / "base-4.2.0-umask077.tar.gz"), "--user", "tester").returncode == 1
    assert faultlens("check", str(PACKAGES / "base-4.2.0-umask022.tar.gz"), "--user", "tester").returncode == 0


def test_junit_is_valid_and_has_the_failures():
    out = faultlens("check", str(PACKAGES / "base-4.2.0-umask077.tar.gz"), "--user", "tester", "--format", "junit")
    assert out.returncode == 1
    suite = ET.fromstring(out.stdout)
    assert suite.tag == "testsuite" and suite.get("failures") == "3"
    failed = {case.get("name"): case.find("failure") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert set(failed) == {"untraversable", "unreadable", "restrictive-umask"}
    assert "base-4.2.0/etc/station.cfg" in failed["unreadable"].text
    assert int(suite.get("tests")) == len(list(suite.iter("testcase")))


def test_json_lists_every_entry():
    out = faultlens("check", str(PACKAGES / "base-4.2.0-umask077.tar.gz"), "--user", "tester", "--format", "json")
    doc = json.loads(out.stdout)
    assert doc["schema"] == "faultlens.check/1" and doc["result"] == "fail"
    unreadable = next(f for f in doc["findings"] if f["check"] == "unreadable")
    assert unreadable["count"] == 5 and {e["mode"] for e in unreadable["entries"]} == {"0600", "0700"}


def test_extracted_by_the_user_the_umask_and_owner_no_longer_block(tmp_path: Path):
    out = faultlens("check", str(PACKAGES / "base-4.2.0-umask077.tar.gz"), "--user", "tester",
                    "--extract-as", "user", "--umask", "022")
    assert out.returncode == 0, out.stdout  # owner bits are the user's: readable; still a warning
    assert "WARNING restrictive-umask" in out.stdout


def test_group_access_counts(tmp_path: Path):
    tar_path = tmp_path / "g.tar"
    with tarfile.open(tar_path, "w") as tar:
        for name, mode, kind in (("r", 0o750, tarfile.DIRTYPE), ("r/a.cfg", 0o640, tarfile.REGTYPE)):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uname, info.gname = kind, mode, "root", "floor"
            tar.addfile(info, None if kind == tarfile.DIRTYPE else __import__("io").BytesIO(b""))
    assert faultlens("check", str(tar_path), "--user", "tester", "--group", "floor").returncode == 0
    assert faultlens("check", str(tar_path), "--user", "tester", "--group", "tester").returncode == 1


def test_directory_rules(tmp_path: Path):
    rel = tmp_path / "rel"
    (rel / "bin").mkdir(parents=True)
    os.chmod(rel, 0o755)  # modes set, not left to the umask the suite runs under
    os.chmod(rel / "bin", 0o755)
    (rel / "bin" / "run.sh").write_bytes(b"#!/bin/sh\necho run\n")  # shebang, no x
    for path, mode in ((rel, 0o755), (rel / "bin", 0o755), (rel / "bin" / "run.sh", 0o644)):  # whatever the umask
        os.chmod(path, mode)
    (rel / "bin" / "dos.sh").write_bytes(b"#!/bin/sh\r\necho dos\r\n")
    os.chmod(rel / "bin" / "dos.sh", 0o755)
    (rel / "bin" / "tool").write_bytes(b"\x7fELF....")
    os.chmod(rel / "bin" / "tool", 0o4755)
    (rel / "shared.cfg").write_text("x")
    os.chmod(rel / "shared.cfg", 0o666)
    (rel / "gone").symlink_to("bin/missing")
    (rel / "etc").symlink_to("/etc")
    out = faultlens("check", str(rel), "--user", "tester", "--group", "tester", "--format", "json")
    assert out.returncode == 1
    found = {f["check"]: f for f in json.loads(out.stdout)["findings"]}
    assert [e["path"] for e in found["exec-bit"]["entries"]] == ["rel/bin/run.sh"]
    assert [e["path"] for e in found["crlf"]["entries"]] == ["rel/bin/dos.sh"]
    assert [e["path"] for e in found["setuid"]["entries"]] == ["rel/bin/tool"]
    assert [e["path"] for e in found["world-writable"]["entries"]] == ["rel/shared.cfg"]
    assert [e["path"] for e in found["symlink-dangling"]["entries"]] == ["rel/gone"]
    assert [e["path"] for e in found["symlink-outside"]["entries"]] == ["rel/etc"]
    assert found["setuid"]["severity"] == "warning" and found["crlf"]["severity"] == "error"


def test_listing_input(tmp_path: Path):
    listing = tmp_path / "release.txt"
    listing.write_text("700 jdoe jdoe /opt/r/base\n600 jdoe jdoe /opt/r/base/station.cfg\n644 jdoe jdoe /opt/r/base/bin/run.sh\n")
    out = faultlens("check", str(listing), "--user", "tester", "--format", "json")
    doc = json.loads(out.stdout)
    assert out.returncode == 1 and doc["kind"] == "listing"
    assert {f["check"] for f in doc["findings"]} >= {"untraversable", "unreadable", "personal-owner"}


@pytest.mark.parametrize("args, message", [
    (("check", "/no/such/release.tgz", "--user", "tester"), "faultlens: error: /no/such/release.tgz: cannot read: No such file or directory\n"),
    (("check", "samples/packages", "--user", "tester", "--extract-as", "nobody"), "faultlens: error: --extract-as must be one of root, user\n"),
    (("check", "samples/packages", "--user", "tester", "--umask", "9z"), "faultlens: error: --umask must be octal from 000 to 0777, like 022 or 0077, not '9z'\n"),
    (("check", "samples/packages", "--user", "tester", "--umask", "-1"), "faultlens: error: --umask must be octal from 000 to 0777, like 022 or 0077, not '-1'\n"),
    (("check", "samples/packages", "--user", "tester", "--umask", "77777777777"),
     "faultlens: error: --umask must be octal from 000 to 0777, like 022 or 0077, not '77777777777'\n"),
    (("check", "README.md", "--user", "tester"), "faultlens: error: README.md: not a directory, a package (.deb .rpm .whl .zip .apk .tar .tar.gz .tar.bz2 .tar.xz .tar.zst) or a file listing faultlens can read\n"),
])
def test_bad_usage_exits_2_with_one_line(args, message):
    out = faultlens(*args)
    assert out.returncode == 2 and out.stderr == message


def test_hostile_archive_members(tmp_path: Path):
    import io

    tar_path = tmp_path / "nasty.tgz"
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, kind, link in (("../../escape.sh", tarfile.REGTYPE, ""), ("dev", tarfile.CHRTYPE, ""),
                                 ("bad\x1b[2Jname\nx", tarfile.REGTYPE, ""), ("h", tarfile.LNKTYPE, "../../escape.sh")):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mode = kind, link, 0o600
            tar.addfile(info, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)
    out = faultlens("check", str(tar_path), "--user", "tester")
    assert out.returncode == 1 and "\x1b" not in out.stdout
    assert "path-escape: 1 entry is named to land outside the release (../)" in out.stdout
    assert "bad?[2Jname\\nx" in out.stdout
    assert not (tmp_path.parent / "escape.sh").exists()


def test_an_archive_with_no_files_is_an_input_error(tmp_path: Path):
    empty = tmp_path / "empty.tgz"
    with tarfile.open(empty, "w:gz"):
        pass
    out = faultlens("check", str(empty), "--user", "tester")
    assert out.returncode == 2 and out.stderr == f"faultlens: error: {empty}: holds no files to check\n"
