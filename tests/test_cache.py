"""The cache folder: what is built once is read back, edits and damage rebuild it, never fatal."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import msgspec
import pytest

from faultlens import cache
from faultlens.kb.loader import load_kb
from faultlens.resources import causes_dir


def test_a_cached_knowledge_base_equals_a_freshly_loaded_one():
    assert load_kb() == load_kb() == load_kb([], errors=[])


def test_an_edited_source_is_a_new_key_and_a_damaged_entry_is_rebuilt(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "a.txt"
    source.write_text("one")
    calls = []

    def build():
        calls.append(1)
        return source.read_text()

    assert cache.memo("t", [source], build, (str,)) == "one"
    assert cache.memo("t", [source], build, (str,)) == "one" and len(calls) == 1
    assert [e.name.endswith(".msgpack") for e in (tmp_path / "cache" / "faultlens" / "t").iterdir()] == [True]
    source.write_text("two")
    assert cache.memo("t", [source], build, (str,)) == "two" and len(calls) == 2
    for entry in (tmp_path / "cache" / "faultlens" / "t").iterdir():
        entry.write_bytes(b"not a pickle")
    assert cache.memo("t", [source], build, (str,)) == "two" and len(calls) == 3


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert load_kb().causes.keys() == load_kb([], errors=[]).causes.keys()


def test_a_user_kb_is_cached_apart_from_the_shipped_one(tmp_path: Path):
    extra = tmp_path / "kb"
    shutil.copytree(causes_dir(), extra)
    (extra / "signals.yaml").unlink()
    one = next(extra.glob("*.yaml"))
    one.write_text(one.read_text().replace("title: ", "title: Local ", 1))
    assert load_kb([str(extra)]).causes != load_kb().causes


def test_a_changed_class_definition_is_a_new_key(tmp_path: Path, monkeypatch):
    """Records cached before their class gained a field must not come back without it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    module = tmp_path / "shapes.py"
    module.write_text("from msgspec import Struct\nclass Shape(Struct):\n    sides: int\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import shapes

    calls = []
    build = lambda: calls.append(1) or shapes.Shape(3)  # noqa: E731
    assert cache.memo("s", [], build, (shapes.Shape,)) == shapes.Shape(3)
    assert cache.memo("s", [], build, (shapes.Shape,)) == shapes.Shape(3) and len(calls) == 1
    module.write_text("from msgspec import Struct\nclass Shape(Struct):\n    sides: int\n    name: str = ''\n")
    assert cache.memo("s", [], build, (shapes.Shape,)) == shapes.Shape(3) and len(calls) == 2


def test_a_cache_folder_keeps_only_its_newest_files(tmp_path: Path, monkeypatch):
    """Every edit of a knowledge base is a new key: without pruning, old entries pile up."""
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "KEEP", 3)
    paths = []
    for i in range(5):
        path = cache.cache_file("k", "entry", [str(i).encode()], ".bin")
        cache.store(path, lambda fh: fh.write(b"x"))
        os.utime(path, ns=(i * 10**9, i * 10**9))  # the order they were written in, whatever the clock
        paths.append(path)
    cache.store(cache.cache_file("k", "entry", [b"last"], ".bin"), lambda fh: fh.write(b"x"))
    kept = sorted(p.name for p in (tmp_path / "cache" / "faultlens" / "k").iterdir())
    assert len(kept) == 3 and paths[4].name in kept and paths[3].name in kept and paths[0].name not in kept


# --- Hardening (issue 13: M12, M13, L14, L7): a cache holds data only, and only ours is read.

def _kb_entries(cache_home: Path) -> list[Path]:
    return [p for p in (cache_home / "faultlens" / "kb").iterdir() if not p.name.startswith(".")]


def test_a_planted_pickle_runs_no_code_and_the_kb_still_loads(tmp_path: Path, monkeypatch):
    """M12: the cache is MessagePack read as typed data; a pickle put in its place is just damage."""
    import pickle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fresh = load_kb()
    marker = tmp_path / "code-ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    entries = _kb_entries(tmp_path / "cache")
    assert entries and all(p.read_bytes()[:1] != b"\x80" for p in entries)  # not a pickle (protocol 2+)
    for p in entries:
        p.write_bytes(pickle.dumps(Evil()))
    assert load_kb() == fresh
    assert not marker.exists()


def test_cache_folders_or_files_others_can_write_are_ignored(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "a.txt"
    source.write_text("one")
    calls = []
    build = lambda: calls.append(1) or "built"  # noqa: E731
    assert cache.memo("t", [source], build, (str,)) == "built"
    entry = next((tmp_path / "cache" / "faultlens" / "t").iterdir())
    entry.write_bytes(msgspec.msgpack.encode("planted"))
    os.chmod(entry, 0o620)  # group-writable: someone else may have written it
    assert cache.memo("t", [source], build, (str,)) == "built" and len(calls) == 2
    folder = tmp_path / "cache" / "faultlens" / "t"
    os.chmod(folder, 0o777)
    assert cache.cache_file("t", "t", [b"x"], ".msgpack") is None
    assert cache.memo("t", [source], build, (str,)) == "built" and len(calls) == 3
    os.chmod(folder, 0o700)
    os.chmod(tmp_path / "cache" / "faultlens", 0o775)  # the level above counts as well
    assert cache.cache_file("t", "t", [b"x"], ".msgpack") is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_a_cache_entry_owned_by_someone_else_is_ignored(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = cache.cache_file("t", "t", [b"k"], ".msgpack")
    cache.store(path, lambda fh: fh.write(b"data"))
    assert cache.load(path) == b"data"
    os.chown(path, 65534, 65534)
    assert cache.load(path) is None
    os.chown(path.parent, 65534, 65534)
    assert cache.cache_file("t", "t", [b"k"], ".msgpack") is None


def test_a_symlinked_cache_folder_is_neither_written_nor_pruned(tmp_path: Path, monkeypatch):
    """M13: pruning once deleted the oldest files of whatever folder faultlens/<kind> pointed at."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "KEEP", 3)
    victim = tmp_path / "victim"
    victim.mkdir()
    for i in range(10):
        (victim / f"doc{i}.txt").write_text(f"important {i}")
        os.utime(victim / f"doc{i}.txt", ns=(i * 10**9, i * 10**9))
    (tmp_path / "cache" / "faultlens").mkdir(parents=True)
    (tmp_path / "cache" / "faultlens" / "k").symlink_to(victim)
    assert cache.cache_file("k", "entry", [b"x"], ".bin") is None
    real = tmp_path / "cache" / "faultlens" / "k2"
    path = cache.cache_file("k2", "entry", [b"x"], ".bin")
    real.rmdir()
    real.symlink_to(victim)  # swapped after the check: the write and the pruning still refuse
    cache.store(path, lambda fh: fh.write(b"x"))
    assert sorted(p.name for p in victim.iterdir()) == sorted(f"doc{i}.txt" for i in range(10))


def test_pruning_removes_only_regular_files(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "KEEP", 1)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    first = cache.cache_file("k", "entry", [b"1"], ".bin")
    cache.store(first, lambda fh: fh.write(b"1"))
    link = first.parent / "old-link.bin"
    link.symlink_to(outside)
    os.utime(link, ns=(0, 0), follow_symlinks=False)
    os.utime(first, ns=(10**9, 10**9))
    cache.store(cache.cache_file("k", "entry", [b"2"], ".bin"), lambda fh: fh.write(b"2"))
    assert outside.read_text() == "keep me" and link.is_symlink() and not first.exists()


def test_a_fifo_or_a_symlink_in_place_of_an_entry_is_ignored_without_blocking(tmp_path: Path, monkeypatch):
    """L14: a FIFO once blocked every run, a symlink to /dev/zero was read until memory ran out."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = cache.cache_file("hyperscan", "patterns", [b"k"], ".hsdb")
    os.mkfifo(path)
    assert cache.load(path) is None
    path.unlink()
    path.symlink_to("/dev/zero")
    assert cache.load(path) is None
    good = tmp_path / "good"
    good.write_bytes(b"data")
    path.unlink()
    path.symlink_to(good)  # even a link to a file of ours is not followed
    assert cache.load(path) is None
    # and the whole explain path copes with a FIFO where the pattern database would be
    from faultlens.pipeline import explain

    log = tmp_path / "a.log"
    log.write_text("2026-11-20 10:00:01 ERROR write failed: [Errno 28] No space left on device\n")
    kb = load_kb()
    warm = explain([str(log)], kb)
    for entry in (tmp_path / "cache" / "faultlens" / "hyperscan").iterdir():
        entry.unlink()
        os.mkfifo(entry)
    from faultlens import prefilter

    prefilter.prefilter.cache_clear()
    prefilter._prefilter.cache_clear()
    assert explain([str(log)], kb).findings[0].id == warm.findings[0].id == "disk-full"


def test_the_kb_cache_key_covers_the_runbook_folders(tmp_path: Path, monkeypatch):
    """L7: a --kb folder with runbooks only must count when given, and only then, whatever ran first."""
    kb_dir = tmp_path / "kb"
    (kb_dir / "runbooks").mkdir(parents=True)
    (kb_dir / "runbooks" / "only-in-kb.md").write_text("---\nid: only-in-kb\ntitle: Only in kb\n---\nbody\n")
    want = str(kb_dir / "runbooks")
    for order in ((True, False), (False, True)):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{order[0]}"))
        for with_kb in order:
            dirs = load_kb([str(kb_dir)] if with_kb else []).runbook_dirs
            assert (want in dirs) == with_kb
