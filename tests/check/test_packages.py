"""`faultlens check` on every format a release ships in, built here in Python: each file's finding
is asserted, for .deb, .rpm, tar (gzip, bzip2, xz, zstd), wheels and zips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import LIBRARY, OBJECT, PIE, PROGRAM, SCRIPT, STATIC, Member, deb, rpm, tar_bytes, wheel, zip_file
from faultlens.check.archive import Limits
from faultlens.check.source import load_release
from faultlens.ingest.sources import InputError

ROOT = Path(__file__).resolve().parents[2]
NOBODY = ("--user", "nobody", "--group", "nogroup")


def faultlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def findings(path: Path, *args: str) -> tuple[int, dict[str, tuple[str, list[str]]], dict]:
    out = faultlens("check", str(path), *NOBODY, "--format", "json", *args)
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    return out.returncode, {f["check"]: (f["severity"], [e["path"] for e in f["entries"]]) for f in doc["findings"]}, doc


DIRS = [Member(d, "dir", 0o755) for d in ("usr", "usr/bin", "usr/lib", "usr/share", "usr/share/doc", "usr/share/doc/demo",
                                          "usr/share/doc/demo/examples", "etc")]
HEALTHY = DIRS + [
    Member("etc/sudoers.d", "dir", 0o750),
    Member("etc/sudoers.d/demo", mode=0o440, body=b"demo ALL=(ALL) NOPASSWD: /usr/bin/prog\n"),  # private on purpose
    Member("usr/bin/prog", mode=0o755, body=PROGRAM),
    Member("usr/bin/su", mode=0o4755, body=PROGRAM),
    Member("usr/bin/tool.sh", mode=0o755, body=SCRIPT),
    Member("usr/lib/libdemo.so.1", mode=0o644, body=LIBRARY),  # a shared library: 0644 is policy
    Member("usr/lib/libdemo.so", "symlink", 0o777, link="libdemo.so.1"),
    Member("usr/lib/libcap.so.2", mode=0o644, body=PIE),  # has an interpreter, is a library first
    Member("usr/lib/libdemo.a", mode=0o644, body=STATIC),
    Member("usr/lib/crt1.o", mode=0o644, body=OBJECT),
    Member("usr/lib/libother.so", "symlink", 0o777, link="/usr/lib/x86_64-linux-gnu/libother.so.3"),  # another package's
    Member("usr/share/doc/demo/examples/demo.sh", mode=0o644, body=SCRIPT),  # not meant to run
]
BROKEN = HEALTHY + [Member("usr/bin/pie", mode=0o644, body=PIE), Member("usr/bin/run.sh", mode=0o644, body=SCRIPT)]
NOT_FAILING = {
    "setuid": ("warning", ["usr/bin/su"]),
    "symlink-outside": ("warning", ["usr/lib/libother.so"]),
    "private": ("note", ["etc/sudoers.d", "etc/sudoers.d/demo"]),
    "script-not-executable": ("note", ["usr/share/doc/demo/examples/demo.sh"]),
}
POSTINST = {"postinst": (0o755, b"#!/bin/sh\nset -e\n")}


def _tar(tmp: Path, members: list[Member], compress: str) -> Path:
    path = tmp / ("pkg.tar" + (f".{compress}" if compress else ""))
    path.write_bytes(tar_bytes([Member(".", "dir", 0o755)] + members, compress=compress))
    return path


BUILDERS = {
    **{f"deb data.tar{'.' + c if c else ''}": (lambda tmp, m, c=c: deb(tmp / "demo.deb", [Member(".", "dir", 0o755)] + m, POSTINST, c))
       for c in ("", "gz", "xz", "bz2", "zst")},
    **{f"rpm {c}": (lambda tmp, m, c=c: rpm(tmp / "demo.rpm", m, c, ghosts=("var/log/demo.log",))) for c in ("gz", "xz", "zst")},
    **{f"tar{'.' + c if c else ''}": (lambda tmp, m, c=c: _tar(tmp, m, c)) for c in ("", "gz", "bz2", "xz", "zst")},
}


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_a_healthy_package_passes_with_only_what_is_worth_a_look(tmp_path: Path, fmt: str):
    code, found, doc = findings(BUILDERS[fmt](tmp_path, HEALTHY))
    assert code == 0, found
    assert found == NOT_FAILING
    assert doc["kind"] == fmt.split()[0].split(".")[0].replace("tar", "tarball")


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_programs_without_an_execute_bit_fail_and_nothing_else(tmp_path: Path, fmt: str):
    code, found, _ = findings(BUILDERS[fmt](tmp_path, BROKEN))
    assert code == 1
    assert found == {"exec-bit": ("error", ["usr/bin/pie", "usr/bin/run.sh"]), **NOT_FAILING}


def test_rpm_modes_come_from_the_header_not_the_payload(tmp_path: Path):
    """The fixture's cpio says 0600 for every file: rpm ignores it, so must check."""
    _, _, doc = findings(rpm(tmp_path / "demo.rpm", HEALTHY, modes_in_cpio=0o600))
    modes = {e["path"]: e["mode"] for e in doc["entries"]}
    assert modes["usr/bin/prog"] == "0755" and modes["etc/sudoers.d/demo"] == "0440" and modes["usr/bin/su"] == "4755"
    assert "var/log/demo.log" not in modes  # %ghost: never shipped


def test_deb_maintainer_script_without_execute_bit_fails(tmp_path: Path):
    pkg = deb(tmp_path / "demo.deb", [Member(".", "dir", 0o755)] + HEALTHY, {"postinst": (0o644, b"#!/bin/sh\r\nexit 0\r\n")})
    code, found, _ = findings(pkg)
    assert code == 1
    assert found["exec-bit"] == ("error", ["DEBIAN/postinst"])
    assert found["crlf"] == ("error", ["DEBIAN/postinst"])


def test_deb_repacked_under_umask_077_by_a_person_fails(tmp_path: Path):
    personal = [Member(m.path, m.kind, m.mode & ~0o077, m.body, m.link, "jdoe", "jdoe") for m in HEALTHY]
    code, found, _ = findings(deb(tmp_path / "demo.deb", [Member(".", "dir", 0o700, owner="jdoe", group="jdoe")] + personal, POSTINST))
    assert code == 1
    assert found["untraversable"][0] == "error" and "usr" in found["untraversable"][1] and "." in found["untraversable"][1]
    assert found["personal-owner"][0] == "warning"


WHEEL = [
    Member("demo/__init__.py", mode=0o600, body=b"VERSION = 1\n"),  # pip gives it the umask's mode anyway
    Member("demo/_ext.cpython-311-x86_64-linux-gnu.so", mode=0o755, body=LIBRARY),
    Member("demo/tools/helper.py", mode=0o644, body=b"#!/usr/bin/env python3\nprint('run me with python')\n"),
    Member("demo-1.0.data/scripts/demo-ok", mode=0o755, body=b"#!python\nimport demo\n"),
    Member("demo-1.0.data/scripts/demo-run", mode=0o644, body=b"#!python\nimport demo\n"),  # pip keeps it non-executable
]


def test_wheel_as_pip_installs_it(tmp_path: Path):
    code, found, doc = findings(wheel(tmp_path / "demo-1.0-cp311-cp311-linux_x86_64.whl", "demo-1.0", WHEEL))
    assert code == 1 and doc["kind"] == "wheel"
    assert found == {"exec-bit": ("error", ["bin/demo-run"]),
                     "script-not-executable": ("note", ["site-packages/demo/tools/helper.py"])}
    modes = {e["path"]: (e["mode"], e["owner"]) for e in doc["entries"]}
    assert modes["site-packages/demo/__init__.py"] == ("0644", "root")
    assert modes["bin/demo-ok"] == ("0755", "root") and modes["bin/demo-run"] == ("0644", "root")
    assert modes["site-packages/demo"] == ("0755", "root")  # made by pip, not listed in the wheel
    assert modes["site-packages/demo/_ext.cpython-311-x86_64-linux-gnu.so"] == ("0755", "root")


def test_wheel_installed_by_pip_under_umask_077_fails(tmp_path: Path):
    code, found, _ = findings(wheel(tmp_path / "demo-1.0-py3-none-any.whl", "demo-1.0", WHEEL[:3]), "--umask", "077")
    assert code == 1
    assert found["untraversable"] == ("error", ["site-packages/demo", "site-packages/demo-1.0.dist-info", "site-packages/demo/tools"])


def test_wheel_as_unzip_extracts_it_keeps_the_0600(tmp_path: Path):
    code, found, _ = findings(wheel(tmp_path / "demo-1.0-py3-none-any.whl", "demo-1.0", WHEEL[:3]), "--installer", "unzip")
    assert code == 1
    assert found["unreadable"] == ("error", ["demo/__init__.py"])


def test_zip_without_unix_modes_gets_the_umask(tmp_path: Path):
    pkg = zip_file(tmp_path / "release.zip", [Member("rel", "dir"), Member("rel/run.sh", body=SCRIPT), Member("rel/a.cfg")], unix=False)
    code, found, doc = findings(pkg)
    assert doc["kind"] == "zip" and {e["path"]: e["mode"] for e in doc["entries"]} == {"rel": "0755", "rel/run.sh": "0644", "rel/a.cfg": "0644"}
    assert code == 0 and found == {"script-not-executable": ("note", ["rel/run.sh"])}


def test_zip_with_unix_modes_as_unzip_extracts_it(tmp_path: Path):
    pkg = zip_file(tmp_path / "release.zip", [Member("rel/bin/run", mode=0o700, body=PROGRAM), Member("rel/a.cfg", mode=0o600),
                                              Member("rel/bin/link", "symlink", 0o777, link="run")])
    code, found, doc = findings(pkg)
    assert code == 1
    assert found["unreadable"] == ("error", ["rel/a.cfg", "rel/bin/run"])
    assert {e["path"]: e["link_target"] for e in doc["entries"]}["rel/bin/link"] == "run"


@pytest.mark.parametrize("make, args, message", [
    (lambda t: deb(t / "demo.deb", HEALTHY), ("--installer", "pip"),
     "--installer pip does not install a deb ({p}); it can be laid out by dpkg"),
    (lambda t: deb(t / "demo.deb", HEALTHY), ("--extract-as", "user"), "--extract-as user: dpkg installs a deb as root ({p})"),
    (lambda t: zip_file(t / "r.zip", [Member("a")]), ("--installer", "pip"),
     "--installer pip does not install a zip ({p}); it can be laid out by unzip"),
    (lambda t: deb(t / "demo.deb", HEALTHY), ("--installer", "snap"),
     "--installer must be one of auto, dpkg, rpm, apk, pip, unzip, tar"),
    (lambda t: t, ("--installer", "pip"), "--installer pip: {p} is a folder, laid out already"),
])
def test_an_installer_that_does_not_fit_is_a_usage_error(tmp_path: Path, make, args, message):
    pkg = make(tmp_path)
    out = faultlens("check", str(pkg), *NOBODY, *args)
    assert out.returncode == 2 and out.stderr == f"faultlens: error: {message.format(p=pkg)}\n"


@pytest.mark.parametrize("cut, reason", [
    (lambda data: data[:len(data) // 2], "truncated Debian package (ar member 'data.tar' ends early)"),
    (lambda data: data[:70], "truncated Debian package (ar member 'debian-binary' ends early)"),
    (lambda data: data[:30], "corrupt or truncated Debian package (bad ar member header)"),
])
def test_truncated_deb_is_one_line_and_exit_2(tmp_path: Path, cut, reason):
    whole = deb(tmp_path / "whole.deb", [Member(".", "dir", 0o755)] + HEALTHY * 20, compress="")
    bad = tmp_path / "bad.deb"
    bad.write_bytes(cut(whole.read_bytes()))
    out = faultlens("check", str(bad), *NOBODY)
    assert out.returncode == 2 and out.stderr == f"faultlens: error: {bad}: {reason}\n"


def test_truncated_rpm_payload_is_exit_2(tmp_path: Path):
    whole = rpm(tmp_path / "whole.rpm", HEALTHY, "xz").read_bytes()
    bad = tmp_path / "bad.rpm"
    bad.write_bytes(whole[:-40])
    out = faultlens("check", str(bad), *NOBODY)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_members_over_the_limit_are_a_named_input_error(tmp_path: Path):
    pkg = deb(tmp_path / "demo.deb", HEALTHY)
    with pytest.raises(InputError, match=r"demo.deb: more than 5 members \(check reads at most that many of one package\)"):
        load_release(str(pkg), limits=Limits(max_members=5))


@pytest.mark.parametrize("suffix", ["xz", "zst", "gz"])
def test_decompressed_bytes_over_the_limit_are_a_named_input_error(tmp_path: Path, suffix: str):
    big = [Member("big.bin", body=bytes(3 << 20))]  # 3 MiB of zeros: a few KB compressed
    pkg = _tar(tmp_path, big, suffix)
    with pytest.raises(InputError, match=r"more than 2 MiB once decompressed"):
        load_release(str(pkg), limits=Limits(max_bytes=2 << 20))
    assert load_release(str(pkg), limits=Limits(max_bytes=4 << 20)).kind == "tarball"


def test_a_zip_bomb_costs_only_the_bytes_looked_at(tmp_path: Path):
    pkg = zip_file(tmp_path / "bomb.zip", [Member(f"f{i}", body=bytes(8 << 20)) for i in range(4)])
    release = load_release(str(pkg), limits=Limits(max_bytes=1 << 20))
    assert [e.size for e in release.entries] == [8 << 20] * 4


def test_compressed_listing_is_still_a_listing(tmp_path: Path):
    import gzip

    listing = tmp_path / "listing.txt.gz"
    listing.write_bytes(gzip.compress(b"700 jdoe jdoe /opt/r/base\n600 jdoe jdoe /opt/r/base/station.cfg\n"))
    code, found, doc = findings(listing)
    assert code == 1 and doc["kind"] == "listing" and found["untraversable"] == ("error", ["/opt/r/base"])


def test_a_tar_of_a_tree_from_root_links_to_other_packages_files(tmp_path: Path):
    """A data.tar repacked as a plain tar: ./usr/share/doc/libfoo -> libfoo1 is another package's folder."""
    members = DIRS + [Member("usr/share/doc/demo-dev", "symlink", 0o777, link="demo1")]
    code, found, _ = findings(_tar(tmp_path, members, "gz"))
    assert code == 0 and found == {"symlink-outside": ("warning", ["usr/share/doc/demo-dev"])}


def test_a_release_tar_with_a_link_to_nothing_fails(tmp_path: Path):
    path = tmp_path / "rel.tar"
    path.write_bytes(tar_bytes([Member("rel", "dir", 0o755), Member("rel/current", "symlink", 0o777, link="v2")], prefix=""))
    code, found, _ = findings(path)
    assert code == 1 and found == {"symlink-dangling": ("error", ["rel/current"])}


def test_alpine_apk_is_read_past_its_segments(tmp_path: Path):
    from builders import apk

    code, found, doc = findings(apk(tmp_path / "demo-1.0-r0.apk", HEALTHY, {".post-install": SCRIPT}))
    assert code == 0 and doc["kind"] == "apk" and found == NOT_FAILING
    assert {e["path"] for e in doc["entries"]} == {m.path for m in HEALTHY}  # .PKGINFO, .SIGN.*, scripts are metadata
    assert "install scripts run by apk: .post-install" in doc["notes"]


def test_names_that_are_not_utf8_are_shown_not_a_crash(tmp_path: Path):
    rel = tmp_path / "rel"
    rel.mkdir()
    os.chmod(rel, 0o755)
    with open(os.path.join(os.fsencode(rel), b"caf\xe9.cfg"), "wb") as fh:
        fh.write(b"x")
    os.chmod(os.path.join(os.fsencode(rel), b"caf\xe9.cfg"), 0o600)
    code, found, doc = findings(rel)
    assert code == 1 and found == {"unreadable": ("error", ["rel/caf\\xe9.cfg"])}
    out = faultlens("check", str(rel), *NOBODY, "--format", "github")
    assert out.returncode == 1 and "rel/caf\\xe9.cfg" in out.stdout
