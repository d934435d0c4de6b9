"""The cache folder: what is built once is read back, edits and damage rebuild it, never fatal."""

from __future__ import annotations

import shutil
from pathlib import Path

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
    """Objects pickled before their class gained a field must not come back without it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    module = tmp_path / "shapes.py"
    module.write_text("class Shape:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import shapes

    calls = []
    assert cache.memo("s", [], lambda: calls.append(1) or 1, (shapes.Shape,)) == 1
    assert cache.memo("s", [], lambda: calls.append(1) or 1, (shapes.Shape,)) == 1 and len(calls) == 1
    module.write_text("class Shape:\n    sides = 3\n")
    assert cache.memo("s", [], lambda: calls.append(1) or 1, (shapes.Shape,)) == 1 and len(calls) == 2


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
