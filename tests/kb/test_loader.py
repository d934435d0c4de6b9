"""The knowledge base loads safely, and every mistake names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.kb.loader import KBError, load_kb

GOOD = """\
id: station-firmware-mismatch
title: Station firmware does not match the release
category: environment
summary: The fixture firmware is older than the release expects.
signals:
  - id: fw-mismatch
    log: 'firmware [0-9.]+ is older than required'
    weight: 0.9
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def error_of(tmp_path: Path) -> str:
    with pytest.raises(KBError) as info:
        load_kb([str(tmp_path)])
    return str(info.value)


def test_shipped_kb_has_the_permission_family(kb):
    assert {"umask-restrictive-package", "wrong-owner", "dir-not-traversable", "missing-exec-bit",
            "permissions-too-open", "readonly-filesystem", "mac-policy-denial", "stale-release-cache"} <= set(kb.causes)


def test_user_kb_adds_causes(tmp_path: Path):
    kb = load_kb([str(write(tmp_path, "fw.yaml", GOOD))])
    assert kb.causes["station-firmware-mismatch"].signals[0].weight == 0.9


def test_user_kb_overrides_by_id(tmp_path: Path, kb):
    text = GOOD.replace("station-firmware-mismatch", "wrong-owner")
    merged = load_kb([str(write(tmp_path, "mine.yaml", text))])
    assert merged.causes["wrong-owner"].title == "Station firmware does not match the release"
    assert len(merged.causes) == len(kb.causes)


def test_invalid_yaml_names_file_and_line(tmp_path: Path):
    write(tmp_path, "bad.yaml", GOOD.replace("category: environment", "category: [unclosed"))
    assert error_of(tmp_path).startswith(f"{tmp_path}/bad.yaml:4: invalid YAML")


def test_bad_pattern_names_file_and_line(tmp_path: Path):
    write(tmp_path, "bad.yaml", GOOD.replace("'firmware [0-9.]+ is older than required'", "'(?<=x)firmware'"))
    message = error_of(tmp_path)
    assert message.startswith(f"{tmp_path}/bad.yaml:7: bad pattern")


def test_backreference_is_rejected_because_re2_cannot_run_it(tmp_path: Path):
    write(tmp_path, "bad.yaml", GOOD.replace("'firmware [0-9.]+ is older than required'", "'(a+)\\1'"))
    assert "bad pattern" in error_of(tmp_path)


@pytest.mark.parametrize("change, expected", [
    (("weight: 0.9", "weight: 3"), "bad.yaml:8: signal 'fw-mismatch' needs a weight in [-1, 1]"),
    (("category: environment", "category: misc"), "bad.yaml:3: unknown category 'misc'"),
    (("id: station-firmware-mismatch", "id: Station Firmware"), "bad.yaml:1: id must be lowercase"),
    (("    log: 'firmware [0-9.]+ is older than required'", "    fact: no-such-fact"), "bad.yaml:7: unknown fact 'no-such-fact'"),
    (("    log: 'firmware [0-9.]+ is older than required'", "    use: no-such-signal"), "bad.yaml:7: unknown shared signal 'no-such-signal'"),
    (("summary:", "colour: red\nsummary:"), "bad.yaml:4: unknown field 'colour'"),
])
def test_schema_errors(tmp_path: Path, change, expected):
    write(tmp_path, "bad.yaml", GOOD.replace(*change))
    assert f"{tmp_path}/{expected}" in error_of(tmp_path)


def test_yaml_cannot_build_python_objects(tmp_path: Path):
    write(tmp_path, "evil.yaml", GOOD.replace("title: Station", "title: !!python/object/apply:os.system ['true']\nx: Station"))
    assert "invalid YAML" in error_of(tmp_path)


def test_duplicate_id_in_one_folder(tmp_path: Path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    assert "is already defined in" in error_of(tmp_path)


def test_missing_folder(tmp_path: Path):
    with pytest.raises(KBError, match="knowledge-base folder not found"):
        load_kb([str(tmp_path / "nope")])


def test_lint_flags_a_pattern_that_matches_most_lines_of_passing_runs(tmp_path: Path):
    from faultlens.kbtools import lint

    broad = GOOD.replace("'firmware [0-9.]+ is older than required'", "'(?i)ok|info|pass'")
    write(tmp_path, "broad.yaml", broad)
    passing = str(Path(__file__).resolve().parents[2] / "samples" / "passing")
    errors = [m.text for m in lint([str(tmp_path)], [passing]) if "too broad" in m.text]
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path}/broad.yaml:6: pattern 'station-firmware-mismatch/fw-mismatch'")
    assert "too broad" in errors[0]
    assert [m for m in lint([], [passing]) if m.level == "error"] == []  # the shipped patterns are not
