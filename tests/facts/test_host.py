"""Host facts: what decides access beyond the mode bits, each told apart from the look-alike by
the snapshot (mounts, ACLs, attributes, the process's groups, the unit, MAC state, df)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.kb.loader import load_kb
from faultlens.pipeline import explain


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _run(tmp_path: Path, kb, files: dict[str, str], user: str | None = None):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return explain([str(tmp_path)], kb, user)


def _facts(result) -> dict[str, float]:
    return {f.name: f.strength for f in result.facts}


FINDMNT = "TARGET SOURCE FSTYPE OPTIONS\n/      /dev/sda1 ext4  rw,relatime\n/tmp   tmpfs     tmpfs rw,nosuid,nodev,noexec,relatime\n" \
          "/srv/share 10.0.0.5:/export nfs4 rw,relatime,vers=4.2\n/opt/ro /dev/sdb1 ext4 ro,relatime\n"


def test_a_script_with_x_on_a_noexec_mount(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "job.log": "bash: /tmp/ci/run-tests.sh: Permission denied\n",
        "ls.txt": "/tmp/ci:\n-rwxr-xr-x 1 ci ci 812 Nov 25 02:59 run-tests.sh\n",
        "findmnt.txt": FINDMNT}, "ci")
    fact = next(f for f in result.facts if f.name == "exec-on-noexec-mount")
    assert fact.summary == "/tmp/ci/run-tests.sh is on /tmp, mounted noexec: nothing on it may be run, although the file has its execute bit"
    assert all(f.id != "missing-exec-bit" or f.confidence < 0.5 for f in result.findings)


def test_the_same_script_on_an_exec_mount_keeps_noexec_out_of_the_hypotheses(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "job.log": "bash: /srv/ci/run-tests.sh: Permission denied\n",
        "ls.txt": "/srv/ci:\n-rwxr-xr-x 1 ci ci 812 Nov 25 02:59 run-tests.sh\n",
        "findmnt.txt": FINDMNT.replace("/srv/share 10.0.0.5:/export nfs4 rw,relatime,vers=4.2\n", "")}, "ci")
    assert "exec-on-noexec-mount" not in _facts(result)
    assert "noexec-mount" not in [h.id for h in result.hypotheses]


def test_chown_refused_on_nfs(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "entry.log": "chown: changing ownership of '/srv/share/data/ibdata1': Operation not permitted\n",
        "findmnt.txt": FINDMNT}, "root")
    assert _facts(result)["chown-on-network-filesystem"] == 1.0


def test_write_refused_on_a_read_only_mount_is_readonly_filesystem(tmp_path, kb):
    result = _run(tmp_path, kb, {"app.log": "touch: cannot touch '/opt/ro/state/run.lock': Read-only file system\n",
                                 "findmnt.txt": FINDMNT})
    assert _facts(result)["write-on-readonly-mount"] == 1.0
    assert result.findings[0].id == "readonly-filesystem" and result.findings[0].confidence >= 0.9


def test_an_acl_mask_that_refuses_what_the_modes_allow(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "app.log": "open /srv/data/limits.csv: permission denied\n",
        "ls.txt": "/:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 srv\n/srv:\ndrwxr-xr-x+ 3 root root 4096 Oct 28 09:12 data\n"
                  "/srv/data:\n-rw-rw-r--+ 1 root staff 2210 Nov 25 02:58 limits.csv\n",
        "getfacl.txt": "# file: srv/data/limits.csv\n# owner: root\n# group: staff\nuser::rw-\nuser:tester:rw-\t\t#effective:---\n"
                       "group::r--\t\t#effective:---\nmask::---\nother::r--\n"}, "tester")
    assert "mask ---" in next(f.summary for f in result.facts if f.name == "acl-restricts-path") \
        or "user:tester:rw-" in next(f.summary for f in result.facts if f.name == "acl-restricts-path")


def test_a_group_added_after_the_service_started(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "agent.log": "Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
                     "dial unix /var/run/docker.sock: connect: permission denied\n",
        "id.txt": "uid=1001(runner) gid=1001(runner) groups=1001(runner),998(docker)\n",
        "status.txt": "Name:\trunner\nPid:\t812\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t1001 \n"})
    fact = next(f for f in result.facts if f.name == "group-missing-in-process")
    assert fact.summary.startswith("id runner lists docker (998), but the running process runner holds groups 1001")


def test_a_unit_with_protecthome_hides_home(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "journal.log": "Nov 25 03:00:01 st-07 backup[812]: open /home/backup/.config/backup.yaml: permission denied\n",
        "unit.txt": "Id=backup.service\nUser=backup\nProtectHome=yes\nProtectSystem=strict\nPrivateTmp=yes\n"})
    fact = next(f for f in result.facts if f.name == "unit-sandbox-covers-path")
    assert "ProtectHome=yes" in fact.summary


def test_an_immutable_file_refuses_root(tmp_path, kb):
    result = _run(tmp_path, kb, {
        "deploy.log": "rm: cannot remove '/etc/ts/station.cfg': Operation not permitted\n",
        "lsattr.txt": "----i---------e------- /etc/ts/station.cfg\n"}, "root")
    assert _facts(result)["path-immutable"] == 1.0


def test_df_with_room_argues_against_a_full_disk(tmp_path, kb):
    log = "OSError: [Errno 28] No space left on device: '/home/ci/.cache/x'\n"
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    alone = _run(tmp_path / "a", kb, {"app.log": log})
    full = next(f.confidence for f in alone.findings if f.id == "disk-full")
    roomy = _run(tmp_path / "b", kb, {
        "app.log": log, "df.txt": "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/sda1 100000 40000 60000 40% /\n"})
    assert _facts(roomy)["disk-has-room"] == 1.0
    assert next(f.confidence for f in roomy.findings if f.id == "disk-full") < full


def test_mac_state_from_the_snapshot_is_what_lets_a_policy_explain_a_denial(tmp_path, kb):
    files = {"app.log": "open /srv/data/limits.csv: permission denied\n",
             "ls.txt": "/:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 srv\n/srv:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 data\n"
                       "/srv/data:\n-rw-r--r-- 1 tester tester 2210 Nov 25 02:58 limits.csv\n"}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    without = _run(tmp_path / "a", kb, files, "tester")
    assert without.verdict == "unexplained" and "mac-policy-denial" in [h.id for h in without.hypotheses]
    enforcing = _run(tmp_path / "b", kb, {**files, "getenforce.txt": "Enforcing\n"}, "tester")
    assert enforcing.findings[0].id == "mac-policy-denial" and enforcing.findings[0].confidence >= 0.5
