"""Issue 14, point 3: listings users paste that were rejected, misread or silently read as logs.
One regression test per gap, each on real output (fixtures/, each citing its source)."""

from __future__ import annotations

import pytest

from faultlens.ingest.sniff import sniff
from faultlens.parse import snapshot_parser
from tests.parse.conftest import fixture_text


def read(name: str, expect_format: str):
    text = fixture_text(name)
    got = sniff("paste.txt", text.encode(), text)
    assert (got.kind, got.format, got.note) == ("snapshot", expect_format, None)
    out = snapshot_parser(got.format)(text, name)
    return {e.path: e for e in out.entries}, out.problems


def test_ls_lz_context_column_is_read():
    found, problems = read("ls-lZ.txt", "ls")
    assert problems == []
    assert found["example.com"].context == "unconfined_u:object_r:var_t:s0"
    assert (found["example.com"].owner, found["example.com"].mode) == ("97", 0o1777)
    assert found["index.html"].link_target == "../../testpage/index.html"
    assert found["passwd"].context == "system_u:object_r:passwd_exec_t:s0" and found["passwd"].mode == 0o4755


def test_ls_lz_rhel6_form_without_links_and_size():
    found, problems = read("ls-lZ-rhel6.txt", "ls")
    assert problems == []
    exe = found["/usr/bin/testprog"]
    assert (exe.mode, exe.owner, exe.context, exe.size) == (0o755, "root", "unconfined_u:object_r:testprog_exec_t:s0", None)
    assert found["/usr/bin"].type == "dir"


def test_ls_z_without_selinux_question_mark_column():
    found, problems = read("ls-laZ-no-selinux.txt", "ls")
    assert problems == [] and found["sub"].mode == 0o755 and found["sub"].context is None


def test_ls_z_short_form_names_without_modes():
    found, problems = read("ls-Z-short.txt", "ls")
    assert problems == []
    assert (found["f"].mode_known, found["f"].mode, found["f"].type) == (False, 0, "other")


def test_stat_context_line():
    found, problems = read("stat-context.txt", "stat")
    assert problems == []
    assert found["/bin/chage"].context == "system_u:object_r:passwd_exec_t:s0" and found["/bin/chage"].mode == 0o4755
    assert found["/bin/apropos"].link_target == "whatis"


def test_entries_ls_could_not_stat_are_kept_with_unknown_modes():
    found, problems = read("ls-unstatable.txt", "ls")
    assert problems == []  # the `ls: cannot access ...` lines belong to the capture
    f, sub = found["f"], found["sub"]
    assert (f.type, f.mode, f.mode_known, f.unstatable, f.owner) == ("file", 0, False, True, None)
    assert (sub.type, sub.unstatable) == ("dir", True)
    assert f.at.line == 8


def test_long_iso_dates_and_leading_spaces():
    found, problems = read("ls-long-iso.txt", "ls")
    assert found[" lead"].mtime == "2026-12-01 05:49"
    assert found["tab\tx"].size == 0 and "a b" in found and found["rel"].type == "dir"
    # a name holding a newline, printed literally, splits the line: that is reported, not hidden
    assert [p.line for p in problems] == [7]


def test_cjk_month_dates():
    found, problems = read("ls-cjk.txt", "ls")
    assert problems == []  # 总用量 is `total`
    assert found["anaconda-ks.cfg"].mode == 0o600 and found["anaconda-ks.cfg"].mtime == "11月 24 15:12"
    assert found[".bash_logout"].mtime == "12月 29 2013"


def test_macos_h_sizes_with_b_suffix_are_kept_as_text():
    found, problems = read("ls-macos-h.txt", "ls")
    assert problems == []
    assert (found[".DocumentRevisions-V100"].size, found[".DocumentRevisions-V100"].size_text) == (None, "288B")
    assert found[".file"].size_text == "0B" and found[".file"].mode == 0
    assert found["Applications"].acl and not found["System"].acl
    assert found["etc"].link_target == "private/etc"


def test_gnu_tar_volume_header_and_escaped_names():
    found, problems = read("tar-volume-escapes.txt", "tar-gnu")
    assert problems == []
    assert not any("Volume Header" in p for p in found)
    assert {"nl\nx", "tab\tx", " lead", "a b", "café", "it's", "rel/sub/f"} <= set(found)


def test_find_ls_escapes_are_decoded():
    found, problems = read("find-ls-escapes.txt", "find-ls")
    assert problems == []
    assert {" lead", "a b", "café", "it's", "nl\nx", "tab\tx", "rel/sub/f"} <= set(found)


def test_ls_shell_quoting_is_decoded_and_alignment_space_dropped():
    found, problems = read("ls-shell-quoting.txt", "ls")
    assert problems == []
    assert {" lead", "a b", "café", "it's", "nl\nx", "tab\tx", "rel"} <= set(found)


def test_dotdot_under_a_relative_ls_r_header():
    found, problems = read("ls-laR-relative.txt", "ls")
    assert problems == []
    assert set(found) == {"rel", ".", "rel/sub", "rel/sub/f"}
    assert found["."].at.line == 4  # `..` under the header `rel:` is the listing's own folder
    assert "/" not in found


def test_namei_followed_symlink_components_have_their_own_paths():
    text = fixture_text("namei-symlinks.txt")
    out = snapshot_parser("namei")(text, "namei.txt")
    assert out.problems == []
    paths = [e.path for e in out.entries]
    assert paths == ["/", "/tmp", "/tmp/lf", "/tmp/lf/t2", "/", "/tmp", "/tmp/lf", "/tmp/lf/t",
                     "/tmp/lf/t/link", "/tmp/lf/t/real", "/tmp/lf/t/real/x"]
    assert "/tmp/lf/t2/tmp" not in paths


def test_device_numbers_are_kept():
    found, _ = read("ls-devices.txt", "ls")
    assert (found["/dev/null"].device, found["/dev/tty"].device, found["/dev/null"].size) == ((1, 3), (5, 0), None)
    found, _ = read("stat-device.txt", "stat")
    assert found["/dev/tty0"].device == (4, 0)
    found, _ = read("ls-lZ.txt", "ls")
    assert found["fuse"].device == (10, 229)


def test_macos_df_inode_columns_and_names_with_spaces():
    text = fixture_text("df-macos.txt")
    assert sniff("d.txt", text.encode(), text).format == "df"
    out = snapshot_parser("df")(text, "df.txt")
    assert out.problems == []
    blocks = {d.mount: d for d in out.disks if not d.inodes}
    inodes = {d.mount: d for d in out.disks if d.inodes}
    assert blocks["/"].used_percent == 32 and blocks["/"].total == 976490576 * 512
    assert (inodes["/"].used, inodes["/"].used_percent) == (1507695, 0)
    assert blocks["/home"].filesystem == "map auto_home"
    assert "/Volumes/com.apple.TimeMachine.localsnapshots/Backups.backupdb/kbrazil-mac/2019-11-29-075900/Macintosh HD" in blocks


def test_wrapped_df_row_is_joined():
    text = fixture_text("df-i-wrapped.txt")
    assert sniff("d.txt", text.encode(), text).format == "df"
    out = snapshot_parser("df")(text, "df.txt")
    assert out.problems == []
    root = next(d for d in out.disks if d.mount == "/")
    assert (root.filesystem, root.total, root.used_percent, root.inodes, root.line) == (
        "/dev/mapper/vg_lxcrhel6sat56-lv_root", 6275072, 2, True, 2)


def test_bsd_stat_is_not_taken_for_find_ls():
    found, problems = read("bsd-stat.txt", "bsd-stat")
    assert problems == []
    f = found["airport-I.json"]
    assert (f.mode, f.owner, f.group, f.size, f.mtime) == (0o644, "kbrazil", "staff", 307, "Mar 11 13:47:39 2020")
    assert found["ifconfig.out"].mode == 0o755


@pytest.mark.parametrize("name", ["ls-lZ.txt", "ls-macos-h.txt", "ls-cjk.txt", "ls-long-iso.txt",
                                  "ls-unstatable.txt", "tar-volume-escapes.txt", "df-h.txt", "df-macos.txt"])
def test_listings_once_read_as_logs_are_recognized(name):
    text = fixture_text(name)
    assert sniff("paste.log", text.encode(), text).kind == "snapshot"


def test_a_listing_read_as_a_log_says_so():
    # a terminal paste: prompts and other commands around an ls -l (real lines, fixtures/ls-long-iso.txt)
    listing = fixture_text("ls-long-iso.txt").split("\n")[1:5]
    text = "\n".join(["$ cd /opt/ts/releases", "$ ls -l --time-style=long-iso", *listing,
                      "$ ./bin/executive --check", "executive: station not ready", "$ echo $?", "1",
                      "$ exit"]) + "\n"
    got = sniff("paste.txt", text.encode(), text)
    assert (got.kind, got.format) == ("log", "plain")
    # the `$ ls -l` prompt line is part of the capture; the other commands and their output are not
    assert got.note == ("looks like an ls listing but 6 of 10 sampled lines could not be read as one: "
                        "read as a plain log")


def test_pipeline_reports_the_note_under_inputs_problems():
    from faultlens.ingest.sources import Blob
    from faultlens.pipeline import read_blobs

    listing = fixture_text("ls-long-iso.txt").split("\n")[1:5]
    text = "\n".join(["$ ls -l", *listing, "$ ./run", "boom", "$ echo $?", "1"]) + "\n"
    run = read_blobs([Blob("paste.txt", text.encode())], [])
    info = run.infos[0]
    assert (info.kind, info.format) == ("log", "plain")
    assert [p.reason for p in info.problems] == [
        "looks like an ls listing but 4 of 8 sampled lines could not be read as one: read as a plain log"]  # the `$ ls -l` line is the capture's


def test_quoted_ls_r_header_gives_its_names_the_real_directory():
    text = "'/srv/test floor':\ntotal 0\n-rw-r--r-- 1 root root 0 Dec  1 05:49 station.cfg\n"
    out = snapshot_parser("ls")(text, "ls.txt")
    assert out.problems == [] and [e.path for e in out.entries] == ["/srv/test floor/station.cfg"]


def test_a_pasted_ls_dir_command_names_the_directory_its_entries_are_in():
    found, problems = read("ls-prompt-dir.txt", "ls")
    assert problems == []  # the prompt line is the capture's, not a line ls printed
    log = found["app/api_service/storage/logs/laravel-2022-06-23.log"]
    assert (log.owner, log.mode) == ("root", 0o777)
    assert found["app/api_service/storage/logs"].type == "dir"


def test_a_pasted_ls_file_command_keeps_the_path_as_given():
    found, problems = read("ls-prompt-file.txt", "ls")
    assert problems == [] and list(found) == ["sentry/sentry.conf.py"]
    assert (found["sentry/sentry.conf.py"].mode, found["sentry/sentry.conf.py"].owner) == (0o660, "root")


@pytest.mark.parametrize("line, expect", [
    ("$ ls -l /var/www/storage", ("/var/www/storage", "/var/www/storage")),
    ("[root@h ~]# ls -ld /etc/postgresql/9.3/main", (None, "/etc/postgresql/9.3/main")),  # -d: the path itself
    ("user@host:~$ sudo ls -la ~/.npm", (".npm", ".npm")),  # the home directory is not known
    ("$ ls -l a b", (None, None)),  # two paths: ls prints headers itself
    ("$ ls -la", (None, None)),  # the working directory is not known
    ("ls -l is how to list", None),  # no prompt: no command line
])
def test_ls_command_lines(line, expect):
    from faultlens.parse.listing import _ls_command

    assert _ls_command(line) == expect
