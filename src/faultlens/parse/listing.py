"""File listings: `ls -l[aRnZ]`, `ls -Z`, `find -ls`, `bsdtar -tv`, `find -printf`, GNU `tar -tv`.

    /opt/ts/releases/base-4.2.0:
    total 8
    -rw------- 1 jdoe jdoe 1204 Nov 25 02:58 executive.cfg
    -rw-r--r--. 1 root root system_u:object_r:etc_t:s0 584 Oct 14 15:56 hosts
    d????????? ? ? ? ?            ? sub
    600 jdoe jdoe /opt/ts/releases/base-4.2.0/bin/executive
    -rw------- jdoe/jdoe 1204 2026-11-25 02:58 base-4.2.0/bin/executive

Names are decoded (ls shell quoting, find's and tar's backslash escapes) and keep their leading
spaces: an `ls -l` name starts one space after the date.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from lark import Transformer
from msgspec.structs import replace

from faultlens.model import FileEntry, Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.modes import TYPES, parse_symbolic
from faultlens.parse.names import c_unescape, shell_word
from faultlens.parse.records import SnapshotRecords


def _split_link(name: str, ftype: str) -> tuple[str, str | None]:
    if ftype == "symlink" and " -> " in name:
        path, target = name.split(" -> ", 1)
        return path, target
    if ftype == "hardlink" and " link to " in name:
        path, target = name.split(" link to ", 1)
        return path, target
    return name, None


def _size(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _size_fields(text: str) -> dict:
    """The size column: bytes, a device's `major, minor`, or a rounded `-h` size kept as text."""
    if text.isdigit():
        return {"size": int(text)}
    if "," in text and text.replace(",", "").replace(" ", "").isdigit():
        major, minor = text.split(",", 1)
        return {"device": (int(major), int(minor.strip()))}
    return {"size_text": text}


class _LsTree(Transformer):
    def header(self, items):
        return ("header", str(items[0])[:-1])

    def total(self, items):
        return ("total", None)

    def message(self, items):
        return ("message", str(items[0]))

    def label(self, items):
        return None if str(items[0]) == "?" else str(items[0])

    def size(self, items):
        return str(items[0])

    def date_short(self, items):
        return ("date", " ".join(map(str, items)), items[-1].end_pos)

    date_short_dm = date_iso = date_cjk = date_short

    def inode(self, items):
        return ("inode", None)

    def entry(self, items):
        items = [i for i in items if not (isinstance(i, tuple) and i[0] == "inode")]
        mode, _links, owner, group = map(str, items[:4])
        context = items[4] if len(items) == 8 else None
        size, (_, date, end), _rest = items[-3:]
        return ("entry", {"mode": mode, "owner": owner, "group": group, "context": context,
                          "mtime": date, "start": end + 1, **_size_fields(size)})

    def entry_z6(self, items):
        mode, owner, group, context, rest = items
        return ("entry", {"mode": str(mode), "owner": str(owner), "group": str(group),
                          "context": str(context), "start": rest.start_pos})

    def context_only(self, items):
        context, rest = items
        return ("label", {"context": context, "start": rest.start_pos})

    def unknown(self, items):
        return ("unknown", {"mode": str(items[0]), "start": items[-2].end_pos + 1})


class _PrintfTree(Transformer):
    def symbolic(self, items):
        mode, owner, group, size, path = map(str, items)
        ftype, bits = parse_symbolic(mode)
        return ftype, bits, owner, group, int(size), path

    def octal(self, items):
        mode, owner, group, path = map(str, items)
        # %m carries no type: a trailing slash is the only hint a printf line can give
        return ("dir" if path.endswith("/") else "file"), int(mode, 8), owner, group, None, path


class _TarTree(Transformer):
    def size(self, items):
        return str(items[0])

    def start(self, items):
        mode, ownergroup, size, day, clock, name = map(str, items)
        owner, group = ownergroup.split("/", 1)
        return mode, owner, group, size, f"{day} {clock}", name


def _ls_name(raw: str, ftype: str, quoting: bool, unescape: bool) -> tuple[str, str | None]:
    """The name (and link target) from what follows the date. With shell quoting (GNU ls on a
    terminal), names needing quotes are quoted and the others padded with one space to align."""
    word = shell_word(raw) if quoting else None
    if word is not None:
        name, rest = word
        target = None
        if rest.startswith((" -> ", " link to ")):
            text = rest.split(" ", 2)[2] if rest.startswith(" -> ") else rest[len(" link to "):]
            quoted = shell_word(text)
            target = quoted[0] if quoted is not None and not quoted[1] else text
        return name, target
    if quoting and raw.startswith(" "):
        raw = raw[1:]
    name, target = _split_link(raw, ftype)
    if unescape:
        name, target = c_unescape(name), (c_unescape(target) if target is not None else None)
    return name, target


def _quoted(raw: str) -> bool:
    return raw.startswith(("'", '"', "$'"))


# `ll` is the `ls -l` alias most distributions' shells define (`ls -alF`, `ls -l`)
_LS_COMMAND = re.compile(r"^(?:\S.*?)?[$#%>]\s*(?:sudo\s+(?:-\S+\s+)*)?l[sl](?:\s+(?P<args>.*))?$")


def _ls_command(line: str) -> tuple[str | None, str | None] | None:
    """A terminal session's `ls` command line: (the directory its entries are named relative to,
    the one path it was given). `ls -l DIR` names DIR's entries without a header; `ls -l FILE`
    and `ls -ld DIR` print the path as given. None: no ls command on the line."""
    m = _LS_COMMAND.match(line.strip())
    if m is None:
        return None
    try:
        words = shlex.split(m["args"] or "", comments=True)
    except ValueError:
        words = (m["args"] or "").split()
    flags = [w for w in words if w.startswith("-") and w != "-"]
    paths = [w for w in words if not w.startswith("-") or w == "-"]
    whole = any(f == "--directory" or (not f.startswith("--") and "d" in f) for f in flags)
    if len(paths) != 1:
        return None, None
    given = _home_relative(paths[0])
    return (None if whole else given), given


def _home_relative(path: str) -> str:
    """`~/x` or `~user/x`: the home directory is not known, the part below it is."""
    if path.startswith("~"):
        return path.split("/", 1)[1] if "/" in path else "."
    return path


def parse_ls(text: str, source: str, unescape: bool = False) -> SnapshotRecords:
    """`ls -l` family and `find -ls`; `ls -lR` directory headers give names their directory, and
    so does a pasted `ls -l DIR` command line (a terminal session)."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    skip = None if unescape else (lambda ln: ("ls" in ln or "ll" in ln) and _LS_COMMAND.match(ln.strip()) is not None)
    rows = [(number, line, what, value) for number, line, (what, value)
            in parsed_lines(text, source, "ls", _LsTree, out.problems, skip)]
    quoting = not unescape and any(_quoted(value) if what == "header" else
                                   what in ("entry", "unknown", "label") and _quoted(line[value["start"]:])
                                   for _number, line, what, value in rows)
    commands = [] if unescape else [(n, c) for n, ln in enumerate(text.split("\n"), start=1)
                                    if ("ls" in ln or "ll" in ln) and (c := _ls_command(ln)) is not None]
    current: str | None = None
    given: str | None = None  # the path an `ls` command named: an entry by that name is itself
    for number, line, what, value in rows:
        while commands and commands[0][0] < number:
            current, given = commands.pop(0)[1]
        if what == "header":
            word = shell_word(value) if quoting else None
            current = word[0] if word is not None and not word[1] else value
            given = None
            continue
        if what not in ("entry", "unknown", "label"):
            continue
        raw = line[value["start"]:]
        if what == "entry":
            ftype, bits = parse_symbolic(value["mode"])
        elif what == "unknown":
            ftype, bits = TYPES.get(value["mode"][0], "other"), 0
        else:
            ftype, bits = "other", 0
        name, target = _ls_name(raw, ftype, quoting, unescape)
        if value.get("mode", "").startswith(("V", "M")):
            continue
        if given is not None and name == given:
            path = name
        elif current is not None and not name.startswith("/"):
            path = posixpath.join(current, name)
        else:
            path = name
        if current is None and name == "..":
            continue
        extra = {k: value[k] for k in ("context", "device", "size_text") if value.get(k) is not None}
        if what == "entry":
            entry = FileEntry(_norm(path), ftype, bits, value["owner"], value["group"], value.get("size"), target,
                              value.get("mtime"), Location(source, number), line,
                              acl=value["mode"].endswith("+"), **extra)
        else:
            entry = FileEntry(_norm(path), ftype, 0, at=Location(source, number), raw=line, mode_known=False,
                              unstatable=what == "unknown", **extra)
        out.entries.append(entry)
    return out


def parse_find_ls(text: str, source: str) -> SnapshotRecords:
    """`find -ls`: like `ls -l` with inode and blocks first; names carry backslash escapes."""
    return parse_ls(text, source, unescape=True)


def parse_find_printf(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (ftype, bits, owner, group, size, path) in parsed_lines(
            text, source, "find_printf", _PrintfTree, out.problems):
        path, target = _split_link(path, ftype)
        out.entries.append(FileEntry(_norm(path), ftype, bits, owner, group, size, target, None,
                                     Location(source, number), line))
    # '%m' prints no type: whatever has entries below it in the listing is a directory
    parents = {posixpath.dirname(e.path) for e in out.entries}
    out.entries = [replace(e, type="dir") if e.type == "file" and e.path in parents else e for e in out.entries]
    return out


def parse_tar_gnu(text: str, source: str) -> SnapshotRecords:
    """GNU `tar -tv`: names escaped C-style (`\\t`, `\\n`, `\\\\`, octal); volume headers (`V`) and
    multi-volume continuations (`M`) name no file and are left out."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (mode, owner, group, size, date, name) in parsed_lines(
            text, source, "tar_gnu", _TarTree, out.problems):
        if mode[0] in "VM":
            continue
        ftype, bits = parse_symbolic(mode)
        name, target = _split_link(name, ftype)
        name, target = c_unescape(name), (c_unescape(target) if target is not None else None)
        fields = _size_fields(size)
        out.entries.append(FileEntry(_norm(name), ftype, bits, owner, group, fields.get("size"), target, date,
                                     Location(source, number), line, device=fields.get("device")))
    return out


def _norm(path: str) -> str:
    """'./a/b/' -> 'a/b'; absolute paths stay absolute; leading spaces of a name are kept."""
    if path in ("", "."):
        return "."
    cleaned = posixpath.normpath(path)
    return cleaned
