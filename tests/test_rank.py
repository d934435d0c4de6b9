"""How evidence adds up (faultlens.rank)."""

from __future__ import annotations

from tests.conftest import explain_texts

LOCALE = "perl: warning: Setting locale failed."
BAD_BYTES = "[ERROR] /src/Entities.java:[68,28] unmappable character for encoding ASCII"
FILLER = [f"[INFO] Compiling module {i} of 60" for i in range(60)]


def _locale(result):
    return next((f.confidence for f in result.findings if f.id == "locale-encoding"), 0.0)


def test_weak_signals_add_up_within_one_episode(kb):
    """A locale warning and bad bytes a line apart are one failure: together they explain."""
    log = "\n".join(FILLER + [LOCALE, BAD_BYTES, "[INFO] BUILD FAILURE"]) + "\n"
    result = explain_texts(kb, {"build.log": log})
    assert result.findings[0].id == "locale-encoding"
    assert result.verdict == "explained", result.findings[:2]


def test_weak_signals_far_apart_do_not_add_up(kb):
    """The same two lines, a locale warning at the top and bad bytes near the end, are two
    ordinary lines, not one failure: neither alone, nor the two together, explain the run."""
    log = "\n".join([LOCALE] + FILLER + [BAD_BYTES, "[INFO] BUILD FAILURE"]) + "\n"
    result = explain_texts(kb, {"build.log": log})
    assert result.verdict == "unexplained"
    assert 0 < _locale(result) < 0.5


def test_a_weak_cause_behind_a_warning_only_comes_after_those_behind_the_failure(kb):
    """A warning fails nothing: the weak causes of the failing line are listed before the one a
    locale warning suggests, though the warning's reads higher."""
    log = "perl: warning: Setting locale failed.\nstarting worker\nError: open /srv/app/data/state.db: permission denied\n"
    result = explain_texts(kb, {"app.log": log})
    ids = [f.id for f in result.findings]
    assert result.verdict == "unexplained"
    assert ids[0] != "locale-encoding" and "locale-encoding" in ids, ids
    assert all(ev.line == 3 for ev in result.findings[0].evidence)
    locale = next(f for f in result.findings if f.id == "locale-encoding")
    assert locale.confidence > result.findings[0].confidence


def test_a_line_that_starts_with_failed_is_no_failed_run_unless_it_says_so_in_capitals(kb):
    """pytest's `FAILED tests/...` backs a generic line before it; sshd's `Failed password ...`
    (an ordinary line of any auth log) does not."""
    generic = "Jun 14 15:16:01 combo ftpd[31277]: User unknown timed out after 900 seconds"
    filler = [f"[INFO] step {i} done" for i in range(40)]
    for verdict, explained in (("Dec 10 07:11:44 LabSZ sshd[24224]: Failed password for invalid user chen from 10.0.0.1 port 3248 ssh2", False),
                               ("FAILED tests/test_ftp.py::test_login", True)):
        log = "\n".join([generic, verdict] + filler) + "\n"
        result = explain_texts(kb, {"run.log": log})
        timeout = next(f.confidence for f in result.findings if f.id == "timeout")
        assert (timeout >= 0.5) is explained, (verdict, timeout)


ASSERTION = "station-agent[902]: java.lang.AssertionError: expected:<true> but was:<false>"
SQLITE_TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/srv/app/store.py", line 12, in connect',
    "    return sqlite3.connect(loc)",
    "sqlite3.OperationalError: unable to open database file",
]


def _confidence(result, cause_id):
    return next((f.confidence for f in result.findings if f.id == cause_id), 0.0)


def test_an_assertion_near_the_end_is_the_failure_when_nothing_fails_after_it(kb):
    log = "\n".join(FILLER + SQLITE_TRACEBACK + [ASSERTION]) + "\n"
    result = explain_texts(kb, {"run.log": log})
    assert result.findings[0].id == "test-assertion"
    assert result.verdict == "explained"


def test_an_assertion_before_another_failure_ends_the_run_is_not_what_ended_it(kb):
    """The same assertion line, then a traceback that ends the run (laramies/theHarvester#500's
    shape): the run died of its last failure, which no cause explains; the assertion some tool
    printed before it is a lead, never a confident cause."""
    log = "\n".join(FILLER + [ASSERTION] + SQLITE_TRACEBACK) + "\n"
    result = explain_texts(kb, {"run.log": log})
    assert result.verdict == "unexplained"
    assert 0 < _confidence(result, "test-assertion") < 0.5


def test_a_failed_step_backs_up_only_the_failure_right_before_it(kb):
    """A compiler's line, then a service refused its program, then the failed step: the step
    failed on the refusal (a failure event) that came between, not on the compile error."""
    log = "\n".join(FILLER + [
        "[ERROR] COMPILATION ERROR : ",
        "evcc.service: Failed at step EXEC spawning /tmp: Permission denied",
        "evcc.service: Main process exited, code=exited, status=203/EXEC",
        "evcc.service: Failed with result 'exit-code'.",
    ] + FILLER[:30]) + "\n"
    result = explain_texts(kb, {"run.log": log})
    assert 0 < _confidence(result, "build-error") < 0.5


def test_lines_logged_at_info_after_a_compile_error_are_no_other_failure(kb):
    """Maven's `[INFO] 1 error` after its compile error is the same failure's summary."""
    log = "\n".join(FILLER + [
        "[ERROR] COMPILATION ERROR : ",
        "[ERROR] /src/main/java/Cli.java:[50,18] error: cannot find symbol",
        "[INFO] 1 error",
        "[INFO] BUILD FAILURE",
    ]) + "\n"
    result = explain_texts(kb, {"build.log": log})
    assert result.findings[0].id == "build-error"
    assert result.verdict == "explained"


def test_a_test_failed_on_a_build_tools_coded_error_is_no_product_assertion(kb):
    """A failed test whose message is a build tool's coded diagnostic ("error NETSDK1045: ...")
    failed on that error, not on a check of the product: an assertion-like line printed a few
    lines earlier does not make it one."""
    log = "\n".join([
        "___________________________ test_restore ___________________________",
        "----------------------------- Captured stdout call -----------------------------",
        "warn: Expected 3 restored projects but got 2",
        "FAILED tests/test_build.py::test_restore - error NETSDK1045: The current .NET SDK does not support targeting .NET 6.0.",
        "========================= 1 failed, 51 passed in 4.20s =========================",
    ]) + "\n"
    result = explain_texts(kb, {"pytest.log": log})
    assert result.verdict == "unexplained", [(f.id, f.confidence) for f in result.findings[:2]]


def test_a_service_manager_that_could_not_start_the_process_backs_no_line_before_it(kb):
    """systemd's status=2xx/STEP says itself why the unit failed (it could not start the process):
    an idle session that timed out in another daemon a line earlier is not what ended it."""
    log = (
        "Mar 01 09:00:00 web01 vsftpd[812]: Session for user anna timed out after 600 seconds\n"
        "Mar 01 09:00:01 web01 systemd[1]: Started Report mailer.\n"
        "Mar 01 09:00:01 web01 systemd[1]: mailer.service: Main process exited, code=exited, status=203/EXEC\n"
        "Mar 01 09:00:01 web01 systemd[1]: mailer.service: Failed with result 'exit-code'.\n"
    )
    result = explain_texts(kb, {"journal.log": log})
    assert result.verdict == "unexplained", [(f.id, f.confidence) for f in result.findings[:3]]
    assert all(f.id != "timeout" or f.confidence < 0.5 for f in result.findings)
