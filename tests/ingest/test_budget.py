"""One budget per input and per run (bytes held, bytes decompressed, members, nesting): a bomb
costs a bounded amount, is named on its input, and the inputs beside it are still explained."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from pathlib import Path

import pytest

from faultlens.ingest import sources
from faultlens.ingest.sources import Blob, read_inputs
from faultlens.pipeline import explain
from tests.conftest import tar_of

GOOD = b"2026-11-20 10:00:01 ERROR write failed: [Errno 28] No space left on device\n"


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setattr(sources, "MAX_BLOB_BYTES", 4 << 20)
    monkeypatch.setattr(sources, "MAX_RUN_BYTES", 6 << 20)
    monkeypatch.setattr(sources, "HELD_BYTES", 1 << 20)
    monkeypatch.setattr(sources, "SMALL_BYTES", 64 << 10)
    monkeypatch.setattr(sources, "SMALL_RESERVE", 256 << 10)
    monkeypatch.setattr(sources, "STREAM_CHUNK", 256 << 10)


def test_gzip_members_of_a_tgz_share_the_input_budget_and_the_log_beside_them_is_read(tmp_path: Path, small_budget, kb):
    """H3: each gzip'd member used to get the whole bound (GBs for a 19 KB .tgz)."""
    one = gzip.compress(b"INFO step ok\n" * ((8 << 20) // 13), compresslevel=9)
    bundle = tmp_path / "bomb.tgz"
    bundle.write_bytes(tar_of([(f"logs/part{i}.log.gz", one) for i in range(12)] + [("logs/zz-good.log", GOOD)]))
    blobs, problems = read_inputs([str(bundle)])
    assert sum(len(b.data) for b in blobs) <= (4 << 20) + (256 << 10)
    assert [b.data for b in blobs if b.source.endswith("zz-good.log")] == [GOOD]
    reasons = {p.source.rsplit(":", 1)[1]: p.reason for p in problems}
    assert reasons["logs/part0.log.gz"].startswith("larger than 1 MiB (decompressed, or inside an archive")
    assert reasons["logs/part11.log.gz"] == "not read: this input's budget of 4 MiB held in memory is spent"
    result = explain([str(bundle)], kb)
    assert result.findings[0].evidence[0].source == f"{bundle}:logs/zz-good.log"


def test_the_run_budget_spans_inputs_and_a_later_small_log_is_still_read(tmp_path: Path, small_budget, kb):
    for i in range(3):
        (tmp_path / f"big{i}.log.gz").write_bytes(gzip.compress(b"INFO tick\n" * (700 << 10)))  # 7 MiB each
    (tmp_path / "zz.log").write_bytes(GOOD)
    names = [str(tmp_path / f"big{i}.log.gz") for i in range(3)] + [str(tmp_path / "zz.log")]
    blobs, problems = read_inputs(names)
    assert [len(b.data) >> 10 for b in blobs[:2]] == [1023, 1023] and blobs[-1].data == GOOD
    assert explain(names, kb).findings[0].evidence[0].source == str(tmp_path / "zz.log")


def test_a_tar_nested_400_deep_is_a_problem_and_the_log_beside_it_is_explained(tmp_path: Path, kb):
    """M4: RecursionError aborted the whole explain."""
    def tar_of(name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        return info.tobuf(tarfile.USTAR_FORMAT) + data + b"\0" * ((-len(data)) % 512) + b"\0" * 1024

    data = tar_of("inner.log", b"INFO\n")
    for i in range(399):
        data = tar_of(f"l{i}.tar", data)
    (tmp_path / "nested.tar").write_bytes(data)
    (tmp_path / "good.log").write_bytes(GOOD)
    result = explain([str(tmp_path / "nested.tar"), str(tmp_path / "good.log")], kb)
    assert result.findings[0].id == "disk-full"
    [problem] = [p for i in result.inputs for p in i.problems]
    assert problem.reason == f"archives nested deeper than {sources.MAX_NESTING} levels: not opened"
    assert problem.source == str(tmp_path / "nested.tar") + "".join(f":l{i}.tar" for i in range(398, 398 - 8, -1))


def test_folders_deeper_than_the_bound_are_a_problem_and_the_rest_is_read(tmp_path: Path, kb):
    """M5: os.walk recursed (RecursionError at 1100 levels); the walk is now iterative, bounded."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "station.log").write_bytes(GOOD)
    deep = run
    for _ in range(sources.MAX_DIR_DEPTH + 5):
        deep = deep / "a"
    deep.mkdir(parents=True)
    (deep / "x.log").write_text("INFO\n")
    (run / "a" / "a" / "mid.log").write_text("INFO mid\n")
    result = explain([str(run)], kb)
    assert result.findings[0].evidence[0].source == f"{run}/station.log"
    assert f"{run}/a/a/mid.log" in [i.source for i in result.inputs]
    [problem] = [p for i in result.inputs for p in i.problems]
    assert problem.source == f"{run}/" + "/".join(["a"] * sources.MAX_DIR_DEPTH)
    assert problem.reason == f"folders nested deeper than {sources.MAX_DIR_DEPTH} levels: not read below here"


def test_members_beyond_the_bound_are_a_problem(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_MEMBERS", 10)
    bundle = tmp_path / "many.tar"
    bundle.write_bytes(tar_of([(f"{i}.log", b"ok\n") for i in range(20)], "w"))
    blobs, problems = read_inputs([str(bundle)])
    assert len(blobs) == 10 and [p.reason for p in problems] == ["more than 10 archive members: the rest not read"]


def test_a_tgz_over_the_budget_keeps_every_member_and_scans_their_heads(tmp_path: Path, small_budget, kb):
    """M8: the bundle was cut silently at the bound and later members (the evidence) dropped."""
    filler = b"2026-11-20 10:00:00 INFO step ok heartbeat queue=0\n" * (40 << 10)  # 2 MiB
    members = [(f"bundle/logs/station-{i}.log", filler + (GOOD if i == 2 else b"")) for i in range(3)]
    members[2] = (members[2][0], GOOD + members[2][1])  # the evidence at its start: in the scanned head
    for name, mode in (("bundle.tgz", "w:gz"), ("bundle.tar", "w"), ("bundle.tar.xz", "w:xz"), ("bundle.tar.bz2", "w:bz2")):
        path = tmp_path / name
        path.write_bytes(tar_of(members, mode))
        result = explain([str(path)], kb)
        evidence = [(e.source, e.line) for e in result.findings[0].evidence]
        assert evidence == [(f"{path}:bundle/logs/station-2.log", 1), (f"{path}:bundle/logs/station-2.log", 40 * 1024 + 2)]
        assert [(i.source.rsplit("/", 1)[1], i.lines) for i in result.inputs] == [
            ("station-0.log", 40 << 10), ("station-1.log", 40 << 10), ("station-2.log", (40 << 10) + 2)]
        assert all("scanned in pieces" in i.problems[0].reason for i in result.inputs)


def test_a_big_log_whose_last_line_is_longer_than_what_is_held_is_scanned(tmp_path: Path, monkeypatch, kb):
    """M9: the held end was cut to start at a line break and kept nothing: 'empty input'."""
    monkeypatch.setattr(sources, "HELD_BYTES", 4096)
    log = tmp_path / "big.log"
    log.write_bytes(b"2026-11-20 10:00:00 INFO start\n" * 1000 + GOOD + b"2026 DEBUG payload=" + b"QUJD" * 5000 + b"\n")
    result = explain([str(log)], kb)
    assert [(e.source, e.line) for e in result.findings[0].evidence] == [(str(log), 1001)]
    assert result.inputs[0].lines == 1002 and "scanned in pieces" in result.inputs[0].problems[0].reason


def _listing(path: Path, entries: int) -> None:
    with path.open("w") as fh:
        fh.write("/opt/ts/releases/base-4.2.0:\ntotal 8\n")
        for i in range(30):
            fh.write(f"-rwx------ 1 jdoe jdoe 9241 Nov 25 02:58 prog{i}\n")
        fh.write("\n/opt/ts/data:\ntotal 8\n")
        for i in range(entries):
            fh.write(f"-rw-r--r-- 1 tester tester 1234 Nov 25 02:58 file{i}.dat\n")


def test_a_big_listing_is_parsed_whole_within_the_budget_else_its_cut_is_named(tmp_path: Path, monkeypatch, kb):
    """M10: a listing over the held size was parsed from its end only, with no note."""
    monkeypatch.setattr(sources, "HELD_BYTES", 4096)
    listing = tmp_path / "big-ls.txt"
    _listing(listing, 2000)
    log = tmp_path / "st.log"
    log.write_text("executive: cannot open /opt/ts/releases/base-4.2.0/prog1: Permission denied\n")
    whole = explain([str(listing), str(log)], kb, user="tester")
    assert whole.verdict == "explained" and whole.inputs[0].problems == ()
    monkeypatch.setattr(sources, "HELD_BYTES", 64 << 20)
    assert whole == explain([str(listing), str(log)], kb, user="tester")
    monkeypatch.setattr(sources, "HELD_BYTES", 4096)
    monkeypatch.setattr(sources, "SMALL_BYTES", 4096)
    monkeypatch.setattr(sources, "MAX_BLOB_BYTES", 64 << 10)
    cut = explain([str(listing), str(log)], kb, user="tester")
    assert cut.inputs[0].problems[0].reason.startswith("listing of 113 KiB: only its last 63 KiB parsed")


def test_a_log_with_nul_runs_is_a_log_and_the_nuls_are_counted(tmp_path: Path, kb):
    """M11: one run of NULs made the whole log 'binary'."""
    log = tmp_path / "crash.log"
    log.write_bytes(b"\0" * 1000 + b"2026-11-20 10:00:00 INFO start\n" + GOOD + b"\0" * 24)
    result = explain([str(log)], kb)
    assert [(e.line, e.text) for e in result.findings[0].evidence] == [(2, GOOD.decode().strip())]
    assert result.inputs[0].kind == "log" and result.inputs[0].problems[0].reason == \
        "1024 NUL bytes dropped (a crash leaves such runs in a log)"


def test_a_utf8_log_starting_with_ff_fe_is_explained(tmp_path: Path, kb):
    """L1: it was decoded whole as UTF-16 and its ERROR line lost."""
    log = tmp_path / "bad.log"
    log.write_bytes(b"\xff\xfe\xfa garbage \xc3\x28 \n2026-11-20 10:00:00 INFO start\n" + GOOD + b"\xed\xa0\x80\n")
    assert explain([str(log)], kb).findings[0].evidence[0].line == 3


@pytest.mark.parametrize("codec, compress", [("gzip", gzip.compress), ("xz", lzma.compress), ("bzip2", bz2.compress)])
def test_compressed_logs_are_read_and_a_truncated_stream_is_read_to_the_break(tmp_path: Path, kb, codec, compress):
    text = b"".join(b"2026-11-20 10:00:00 INFO step %d ok %d\n" % (i, i * 7919 % 10007) for i in range(50_000))
    packed = compress(GOOD + text)
    whole = tmp_path / "whole.log.z"
    whole.write_bytes(packed)
    assert read_inputs([str(whole)]) == ([Blob(str(whole), GOOD + text)], [])
    cut = tmp_path / "cut.log.z"
    cut.write_bytes(packed[: len(packed) // 2])
    result = explain([str(cut)], kb)
    assert result.findings[0].evidence[0].line == 1
    [problem] = result.inputs[0].problems
    assert problem.reason.startswith(f"truncated {codec} data after ") and problem.reason.endswith("read what came before")


def test_stdin_beyond_the_held_size_keeps_its_start_and_says_so(monkeypatch):
    monkeypatch.setattr(sources, "HELD_BYTES", 64 << 10)
    monkeypatch.setattr(sources, "SMALL_BYTES", 1 << 10)
    blobs, problems = read_inputs(["-"], stdin=io.BytesIO(GOOD * 10_000))
    assert len(blobs[0].data) == 64 << 10 and blobs[0].data.startswith(GOOD)
    assert problems[0].reason.startswith("larger than 64 KiB (decompressed, or inside an archive or standard input")


def test_a_member_name_megabytes_long_is_shown_cut(tmp_path: Path):
    bundle = tmp_path / "pax.tar"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("d/" + "n" * 100_000 + ".log")
        info.size = len(GOOD)
        tar.addfile(info, io.BytesIO(GOOD))
    bundle.write_bytes(buf.getvalue())
    [blob], _ = read_inputs([str(bundle)])
    assert blob.source == f"{bundle}:d/{'n' * 1022}... (100006 characters)" and blob.data == GOOD
