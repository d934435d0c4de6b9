"""group-not-in-session: the account's groups per /etc/group (`groups USER`, `id USER`, `getent
group NAME`) beside the session's own (`groups`, `id`), read from snapshot files and from a session
pasted into a log; and its counter-evidence, the session holding the denied path's group."""

from __future__ import annotations

from pathlib import Path

from faultlens.pipeline import explain


def _run(tmp_path: Path, kb, files: dict[str, str], user: str | None = None):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return explain([str(tmp_path)], kb, user)


def _top(result) -> tuple[str, float] | None:
    return (result.findings[0].id, result.findings[0].confidence) if result.findings else None


def _confidence(result, cause: str) -> float:
    return next((f.confidence for f in result.findings if f.id == cause), 0.0)


SERIAL_LOG = ("Traceback (most recent call last):\n"
              "serial.serialutil.SerialException: [Errno 13] could not open port /dev/ttyUSB0: "
              "[Errno 13] Permission denied: '/dev/ttyUSB0'\n")
SESSION = ("pi@raspberrypi:~ $ ls -l /dev/ttyUSB0\n"
           "crw-rw---- 1 root dialout 188, 0 Mar  3 10:12 /dev/ttyUSB0\n"
           "pi@raspberrypi:~ $ groups\n"
           "pi adm tty sudo audio video plugdev games users input netdev gpio i2c spi\n"
           "pi@raspberrypi:~ $ groups pi\n"
           "pi : pi adm dialout tty sudo audio video plugdev games users input netdev gpio i2c spi\n")


def test_account_in_the_ports_group_the_session_is_not(tmp_path, kb):
    result = _run(tmp_path, kb, {"serial.log": SERIAL_LOG, "session.txt": SESSION})
    fact = next(f for f in result.facts if f.name == "group-not-in-session")
    assert fact.strength == 1.0  # dialout owns the denied port
    assert fact.summary.startswith("pi is in dialout per /etc/group")
    assert [(e.source.rsplit("/", 1)[-1], e.line) for e in fact.evidence] == [("serial.log", 2), ("session.txt", 6), ("session.txt", 4)]
    assert _top(result)[0] == "group-not-active" and _top(result)[1] >= 0.9


def test_the_session_already_holds_the_ports_group(tmp_path, kb):
    holds = SESSION.replace("pi adm tty sudo", "pi adm dialout tty sudo")
    result = _run(tmp_path, kb, {"serial.log": SERIAL_LOG, "session.txt": holds})
    assert "group-not-in-session" not in {f.name for f in result.facts}
    assert "session-holds-path-group" in {f.name for f in result.facts}
    assert _confidence(result, "group-not-active") < 0.5


def test_id_in_the_session_and_getent_group_pasted_into_a_ci_log(tmp_path, kb):
    log = ("2024-05-02T07:41:01.1234567Z ##[group]Run ./deploy.sh\n"
           "2024-05-02T07:41:02.1234567Z $ id\n"
           "2024-05-02T07:41:02.2234567Z uid=1001(runner) gid=1001(runner) groups=1001(runner),4(adm),100(users)\n"
           "2024-05-02T07:41:03.1234567Z $ getent group docker\n"
           "2024-05-02T07:41:03.2234567Z docker:x:998:runner\n"
           "2024-05-02T07:41:04.1234567Z docker: permission denied while trying to connect to the Docker daemon socket "
           "at unix:///var/run/docker.sock: dial unix /var/run/docker.sock: connect: permission denied.\n")
    result = _run(tmp_path, kb, {"deploy.log": log})
    fact = next(f for f in result.facts if f.name == "group-not-in-session")
    assert fact.summary.startswith("runner is in docker per /etc/group (docker:x:998:runner)")
    assert [e.line for e in fact.evidence] == [5, 3]
    assert _top(result)[0] == "group-not-active" and _top(result)[1] >= 0.5


def test_the_account_and_the_session_agree(tmp_path, kb):
    same = SESSION.replace("pi : pi adm dialout tty", "pi : pi adm tty")
    result = _run(tmp_path, kb, {"session.txt": same})
    assert "group-not-in-session" not in {f.name for f in result.facts}
    assert _confidence(result, "group-not-active") < 0.5


def test_sudo_groups_shows_roots_groups_not_the_sessions(tmp_path, kb):
    root = ("$ sudo groups\nroot\n$ groups pi\npi : pi adm dialout\n")
    result = _run(tmp_path, kb, {"session.txt": root})
    assert "group-not-in-session" not in {f.name for f in result.facts}
