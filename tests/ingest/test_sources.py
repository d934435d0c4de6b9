"""Files, directories, tarballs, gzip and stdin, read in memory; failures become problems."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

from faultlens.ingest.sources import read_inputs


def _tar(members: dict[str, bytes], gz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_directory_is_read_recursively_in_order(tmp_path: Path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "b.log").write_text("b\n")
    (tmp_path / "a.txt").write_text("a\n")
    blobs, problems = read_inputs([str(tmp_path)])
    assert problems == []
    assert [b.source for b in blobs] == [f"{tmp_path}/a.txt", f"{tmp_path}/logs/b.log"]


def test_tarballs_are_read_in_memory(tmp_path: Path):
    for name, gz in (("bundle.tar", False), ("bundle.tgz", True), ("bundle.tar.gz", True)):
        path = tmp_path / name
        path.write_bytes(_tar({"logs/station.log": b"hello\n", "snapshot/id.txt": b"uid=1(x) gid=1(x)\n"}, gz))
        blobs, problems = read_inputs([str(path)])
        assert problems == []
        assert {b.source: b.data for b in blobs} == {
            f"{path}:logs/station.log": b"hello\n", f"{path}:snapshot/id.txt": b"uid=1(x) gid=1(x)\n"}
    assert sorted(os.listdir(tmp_path)) == ["bundle.tar", "bundle.tar.gz", "bundle.tgz"]  # nothing extracted


def test_gzip_file_is_read_transparently(tmp_path: Path):
    path = tmp_path / "station.log.gz"
    path.write_bytes(gzip.compress(b"No space left on device\n"))
    blobs, _ = read_inputs([str(path)])
    assert blobs[0].data == b"No space left on device\n"


def test_truncated_gzip_is_a_problem_and_others_go_on(tmp_path: Path):
    bad = tmp_path / "bad.log.gz"
    bad.write_bytes(gzip.compress(b"x" * 10000)[:40])
    good = tmp_path / "good.log"
    good.write_text("fine\n")
    blobs, problems = read_inputs([str(bad), str(good)])
    assert [b.source for b in blobs] == [str(bad), str(good)] and blobs[0].data == b"x" * len(blobs[0].data)
    assert [(p.source, p.reason.split(" (")[0]) for p in problems] == [(str(bad), "truncated gzip data after 512 bytes")]
    (tmp_path / "worse.log.gz").write_bytes(gzip.compress(b"x" * 10000)[:12])  # broken before a byte came out
    blobs, problems = read_inputs([str(tmp_path / "worse.log.gz")])
    assert blobs == [] and problems[0].reason.startswith("corrupt gzip data: ")


def test_missing_and_unreadable_inputs_are_problems(tmp_path: Path, monkeypatch):
    secret = tmp_path / "secret.log"
    secret.write_text("x\n")
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self.name == "secret.log":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    blobs, problems = read_inputs([str(tmp_path / "nope.log"), str(secret)])
    assert blobs == []
    assert [(p.source, p.reason) for p in problems] == [
        (str(tmp_path / "nope.log"), "no such file or directory"),
        (str(secret), "permission denied (cannot read the input itself)"),
    ]


def test_stdin():
    blobs, problems = read_inputs(["-"], stdin=io.BytesIO(b"Killed\n"))
    assert problems == [] and [(b.source, b.data) for b in blobs] == [("<stdin>", b"Killed\n")]


def test_dangling_symlink_in_a_directory(tmp_path: Path):
    (tmp_path / "gone.log").symlink_to(tmp_path / "missing")
    blobs, problems = read_inputs([str(tmp_path)])
    assert blobs == [] and problems[0].reason == "dangling symlink"
