"""The listing `faultlens collect` writes (escaped find -ls) and its parser: names come back exact."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens.collect import script
from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.parse.collected import HEADER, escape, parse_collected, records, unescape

LINES = HEADER + "\n" + "\n".join([
    "  2146866      4 drwxr-xr-x   3 root     root         4096 Dec  1 05:43 ./rel",
    "  2146881      4 drwx------   3 jdoe     jdoe         4096 Dec  1 05:43 ./rel/a\\ndrwx------\\ jdoe\\ jdoe\\ 4096\\ rel",
    "  2147057      0 lrwxrwxrwx   1 root     root            9 Jan  1  2020 ./rel/lnk\\ ->\\ z -> tar\\ get\\nx",
    "        3      0 crw-rw-rw-   1 root     root       1,   3 Nov 20 10:34 ./rel/null",
    "  2147041      0 -rw-r--r--   1 root     root            0 Dec  1 05:43 ./rel/\\303\\251\\033]0;x\\007",
]) + "\n"


def test_records_are_exact_and_a_newline_name_is_one_entry():
    found, bad = records(LINES)
    assert not bad
    assert [r.name for r in found] == [b"./rel", b"./rel/a\ndrwx------ jdoe jdoe 4096 rel", b"./rel/lnk -> z",
                                       b"./rel/null", "./rel/é".encode() + b"\x1b]0;x\x07"]
    assert found[2].target == b"tar get\nx" and found[2].date == "Jan 1 2020" and found[3].size is None
    out = parse_collected(LINES, "l.txt")
    assert [(e.path, e.type, e.mode, e.owner, e.at.line) for e in out.entries[:2]] == [
        ("rel", "dir", 0o755, "root", 2), ("rel/a\ndrwx------ jdoe jdoe 4096 rel", "dir", 0o700, "jdoe", 3)]
    assert out.entries[2].link_target == "tar get\nx" and out.entries[3].type == "char"


def test_known_by_content_whatever_the_file_is_called():
    data = LINES.encode()
    assert sniff("anything.bin", data, to_text(data)).format == "faultlens-listing"
    plain = "\n".join(LINES.splitlines()[1:]).encode()  # without the header: plain find -ls
    assert sniff("x", plain, to_text(plain)).format == "find-ls"


@pytest.mark.parametrize("line", [
    "  1 0 -rw-r--r-- 1 a b 0 Dec  1 05:43 ./raw name",  # a raw space: not what find writes
    "  1 0 -rw-r--r-- 1 a b 0 Dec  1 05:43 ./x\\",  # a lone backslash
    "  1 0 lrwxrwxrwx 1 a b 0 Dec  1 05:43 ./no-target",
    "  1 0 -rw-r--r-- 1 a b zero Dec  1 05:43 ./x",
    "drwxr-xr-x root root 4096 rel",  # a forged find -printf line
])
def test_lines_find_never_writes_are_problems_not_entries(line):
    out = parse_collected(HEADER + "\n" + line + "\n", "l.txt")
    assert out.entries == [] and len(out.problems) == 1 and "line 2" in out.problems[0].reason


names = st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b".."))


@settings(max_examples=200, deadline=None)
@given(names)
def test_escape_and_unescape_round_trip(name):
    text = escape(name)
    assert text.isascii() and " " not in text.replace("\\ ", "") and "\n" not in text
    assert unescape(text) == name


@pytest.mark.skipif(shutil.which("find") is None or b"GNU" not in subprocess.run(
    ["find", "--version"], capture_output=True).stdout, reason="the escaped listing needs GNU find")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(names, min_size=1, max_size=12, unique=True))
def test_any_name_round_trips_through_collects_listing(tmp_path_factory, batch):
    """Random names (any bytes but NUL and '/') written to disk, listed by the collector's own
    script, read back from the bundle by the parser explain uses: the same bytes, one entry each."""
    base = tmp_path_factory.mktemp("names")
    tree = base / "tree"
    tree.mkdir()
    for i, name in enumerate(batch):
        target = os.path.join(os.fsencode(tree), name)
        if i % 3 == 2:
            os.mkdir(target)
        else:
            with open(target, "wb") as fh:
                fh.write(b"x")
    bundle = base / "b.tgz"
    done = subprocess.run(["sh", "-s"], input=script([str(tree)], [], "nobody"), text=True, capture_output=True,
                          cwd=base, env={**os.environ, "FAULTLENS_OUT": str(bundle), "TMPDIR": str(base)})
    assert done.returncode == 0, done.stderr
    data = tarfile.open(bundle).extractfile("bundle/listings/1.txt").read()
    assert sniff("1.txt", data, to_text(data)).format == "faultlens-listing"
    found, bad = records(to_text(data))
    assert not bad
    prefix = os.fsencode(tree) + b"/"
    assert sorted(r.name[len(prefix):] for r in found if r.name.startswith(prefix)) == sorted(batch)


pieces = st.sampled_from([
    HEADER + "\n", "  2146866 ", "     4 ", "drwxr-xr-x", "-rwsr-Sr-T", "lrwxrwxrwx", "crw-rw-rw-", "   3 ", " root    ",
    " 1,   3 ", " 4096 ", "Dec  1 05:43 ", "Jan  1  2020 ", "./rel", "\\n", "\\\\", "\\ ", "\\377", "\\400", "\\",
    " -> ", "\n", "\x00", "é", "\r", "\x1b]0;x\x07", " ",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(pieces, max_size=40).map("".join)))
def test_the_parser_never_raises(text):
    out = parse_collected(text, "l.txt")
    assert all(p.source == "l.txt" for p in out.problems)
    assert all(e.at.line <= text.count("\n") + 1 for e in out.entries)
