"""explain --baseline: the failing run's new lines, in blocks, the likeliest failure first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens import newlines
from faultlens.newlines import new_lines
from faultlens.parse.logs import LogText

ROOT = Path(__file__).resolve().parent.parent
STAMP = "2022-05-30T09:11:02.{:07d}Z "


def log(name: str, lines: list[str]) -> LogText:
    return LogText.from_bytes(name, ("\n".join(lines) + "\n").encode())


def stamped(lines: list[str], seed: int) -> list[str]:
    """GitHub Actions' time stamp before every line, different in each run."""
    return [STAMP.format(seed * 1000 + i) + line for i, line in enumerate(lines)]


COMMON = ["> Task :app:compileJava", "> Task :app:test", "Downloading https://repo/x-1.2.jar", "", "Tests run: 12"]
FRAMES = ["\tat org.app.Parser.parse(Parser.java:39)", "\tat org.app.Main.main(Main.java:7)"]


def test_a_new_exception_comes_first_with_its_whole_trace(kb):
    good = log("pass.log", stamped(COMMON + ["java.lang.IllegalStateException: warming up (retried)", *FRAMES,
                                             "BUILD SUCCESSFUL in 3s"], 1))
    bad = log("fail.log", stamped(COMMON + ["java.io.FileNotFoundException: data/astor_399.log", *FRAMES,
                                            "", "FAILURE: Build failed with an exception.", "BUILD FAILED in 3s"], 2))
    found = new_lines([bad], [good], kb.lexicon)
    # the frames were printed by the passing run too: they stay with the new exception line; the
    # verdicts under it say that the build failed, not why
    assert [u.line for u in found] == [6, 7, 8]
    assert found[0].text.endswith("java.io.FileNotFoundException: data/astor_399.log")
    assert found[0].source == "fail.log" and found[0].score == found[2].score


def test_what_the_passing_run_printed_with_other_values_is_not_new(kb):
    good = log("pass.log", ["[INFO] Downloaded x-1.2.jar (853 B at 1.7 kB/s)", "[WARNING] retry 1 of 3 after timeout",
                            "[ERROR] flaky probe 17 failed, ignored"])
    bad = log("fail.log", ["[INFO] Downloaded x-1.3.jar (14 kB at 243 kB/s)", "[WARNING] retry 2 of 3 after timeout",
                           "[ERROR] flaky probe 4 failed, ignored"])
    assert new_lines([bad], [good], kb.lexicon) == []


def test_verdicts_separators_and_quiet_lines_alone_are_no_block(kb):
    good = log("pass.log", ["[INFO] BUILD SUCCESS", "Finished: SUCCESS"])
    bad = log("fail.log", ["[INFO] ------------------------------------------------", "[INFO] BUILD FAILURE",
                           "[INFO] Total time: 3.2 s (missing cache)", "", "", "",
                           "Sending e-mails to: team@example.org", "Finished: FAILURE"])
    assert new_lines([bad], [good], kb.lexicon) == []


def test_blocks_are_ranked_by_their_error_evidence_and_trimmed_at_the_edges(kb):
    good = log("pass.log", ["[INFO] Building app 1.0", "[INFO] BUILD SUCCESS"])
    bad = log("fail.log", [
        "upload of results failed, will not retry",  # 1: an error word, no more
        "[INFO] Building app 1.0", "[INFO] Building app 1.0", "[INFO] Building app 1.0",
        "[INFO] -------------------------------------------------------------",  # 5: trimmed
        "[ERROR] /src/App.java:[71,65] cannot find symbol",  # 6
        "  symbol:   method getExecutedTests()",  # 7: under it, indented: kept
        "  location: variable result of type Result",  # 8
        "[INFO] 1 error",  # 9: a count, at a quiet level: trimmed
        "[INFO] BUILD FAILURE",  # 10
        "[INFO] Building app 1.0", "[INFO] Building app 1.0", "[INFO] Building app 1.0",
        "[WARNING] Could not transfer metadata from mirror: connection refused",  # 14: a warning: 0.3
    ])
    found = new_lines([bad], [good], kb.lexicon)
    assert [u.line for u in found] == [6, 7, 8, 1]
    assert found[0].score > found[3].score


def test_a_run_unlike_the_passing_one_in_every_line_gives_blocks_around_its_errors(kb):
    lines = [f"[INFO] step {chr(97 + i % 26)}{chr(97 + i // 26 % 26)} started" for i in range(300)]
    lines[99] = "[ERROR] fixture clamp did not close"
    lines[249] = "[ERROR] upload to the results store failed"
    found = new_lines([log("fail.log", lines)], [log("pass.log", ["nothing in common"])], kb.lexicon)
    assert [u.line for u in found] == [250, 100]


def test_reported_lines_are_bounded(kb, monkeypatch):
    monkeypatch.setattr(newlines, "MAX_REPORTED", 5)
    good = log("pass.log", ["started"])
    bad = log("fail.log", ["java.lang.OutOfMemoryError: Java heap space"] + [f"\tat a.B{i}.run(B.java:{i})" for i in range(50)])
    found = new_lines([bad], [good], kb.lexicon)
    assert [u.line for u in found] == [1, 2, 3, 4, 5]


def test_a_long_log_is_compared_by_its_end_with_its_own_line_numbers(kb, monkeypatch):
    monkeypatch.setattr(newlines, "MAX_LINES", 50)
    good = log("pass.log", [f"step {i} ok" for i in range(100)])
    lines = [f"step {i} ok" for i in range(300)]
    lines[10] = "ERROR: early failure nobody reads"  # before the compared end: not seen
    lines[280] = "ERROR: disk quota exceeded on /scratch"
    found = new_lines([log("fail.log", lines)], [good], kb.lexicon)
    assert [(u.line, u.text) for u in found] == [(281, "ERROR: disk quota exceeded on /scratch")]


def test_the_views_show_blocks_apart_and_cut_long_ones(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "good" / "run.log").write_text("starting\nall steps done\n")
    trace = ["java.lang.IllegalStateException: fixture not calibrated"] + [f"\tat a.B{i}.run(B.java:{i})" for i in range(30)]
    (tmp_path / "bad" / "run.log").write_text("\n".join(["starting", *trace, "", "", "", "ERROR: upload to results store failed", ""]))
    args = [sys.executable, "-m", "faultlens", "explain", str(tmp_path / "bad"), "--baseline", str(tmp_path / "good")]
    env = dict(os.environ, COLUMNS="200")
    text = subprocess.run(args, capture_output=True, text=True, env=env).stdout
    section = text[text.index("New since the passing run"):]
    assert "run.log:2  java.lang.IllegalStateException: fixture not calibrated" in section
    assert "  ... 19 more lines of this block\n  --\n" in section
    assert section.index("ERROR: upload to results store failed") > section.index("--")
    markdown = subprocess.run(args + ["--format", "markdown"], capture_output=True, text=True, env=env).stdout
    assert "... 11 more lines of this block\n--\n" in markdown
    doc = json.loads(subprocess.run(args + ["--format", "json"], capture_output=True, text=True, env=env).stdout)
    assert [u["line"] for u in doc["baseline"]["new_lines"]] == list(range(2, 33)) + [36]


_WORDS = st.sampled_from(["ERROR", "[INFO]", "[ERROR]", "WARN", "failed", "at a.B.c(B.java:1)", "Caused by:", "...",
                          "2022-05-30T09:11:02.1Z", "\t", "  ", "BUILD FAILURE", "x=1", "\u212a", "\x1b[31m", "\r", ":", "ok"])
_LINES = st.lists(st.lists(_WORDS, max_size=6).map(" ".join), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=_LINES, good=_LINES)
def test_any_runs_give_whole_lines_of_the_failing_log_in_contiguous_blocks(kb, bad, good):
    failing = log("fail.log", bad)
    found = new_lines([failing], [log("pass.log", good)], kb.lexicon)
    texts = dict(failing.lines())
    assert all(texts[u.line] == u.text for u in found)
    assert len({u.line for u in found}) == len(found)
    for a, b in zip(found, found[1:]):  # best block first; a block is contiguous, its lines share its score
        assert a.score >= b.score
        if a.score == b.score:
            assert b.line == a.line + 1


# --- the CiDiff pairs (labri-progress/cidiff, Apache-2.0), where the shared corpus is at hand ---

def _pairs() -> Path | None:
    for base in (os.environ.get("FAULTLENS_CORPUS"), ROOT.parent / "shared" / "corpus" / "data", "/work/shared/corpus/data"):
        if base and (Path(base) / "cidiff-breakages").is_dir():
            return Path(base) / "cidiff-breakages"
    return None


PAIRS = _pairs()


def _explained(kb, case: str) -> list:
    from faultlens.pipeline import explain

    if PAIRS is None:
        pytest.skip("the shared corpus (../shared/corpus/data) is not here")
    return list(explain([str(PAIRS / case / "fail.log")], kb, baseline=[str(PAIRS / case / "pass.log")]).baseline.new_lines)


def test_cidiff_57_the_exception_and_its_trace_exactly(kb):
    """Ground truth E 515-535: the exception, its frames and its cause; Gradle's summary under it
    ('What went wrong', 'BUILD FAILED') is no ground truth and no longer listed."""
    assert [u.line for u in _explained(kb, "cidiff_57")] == list(range(515, 536))


def test_sorald_265_a_trace_the_passing_run_shares_frames_with_comes_whole_and_first(kb):
    """Ground truth E 284-397 (CiDiff's numbering; lines 264-377 split at \\n): a jgit
    TransportException whose frames the passing run printed too, then Maven's error report."""
    found = [u.line for u in _explained(kb, "sorald_265")]
    assert found[:114] == list(range(264, 378))
    assert found[114] == 825 and 836 in found
    assert 820 not in found  # [INFO] BUILD FAILURE


def test_astor_1260_compiler_errors_first_and_maven_boilerplate_left_out(kb):
    found = _explained(kb, "astor_1260")
    assert (found[0].line, "Compilation failure" in found[0].text) == (364, True)  # Maven's report of the errors
    lines = [u.line for u in found]
    assert set(range(346, 356)) <= set(lines) and set(range(364, 383)) <= set(lines)
    assert not {341, 356, 357, 359, 387} & set(lines)  # "4 warnings", "3 errors", a rule, BUILD FAILURE, Finished: FAILURE


def test_a_run_like_its_passing_run_says_nothing_is_new(tmp_path):
    for name in ("good", "bad"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.log").write_text("starting\nERROR: probe 3 flaky, ignored\nall steps done\n")
    text = subprocess.run([sys.executable, "-m", "faultlens", "explain", str(tmp_path / "bad"), "-b", str(tmp_path / "good")],
                          capture_output=True, text=True).stdout
    assert "New since the passing run" in text and "  nothing: no new error block, no change on disk" in text
