"""Mounted filesystems: `findmnt`, `mount`, /proc/mounts, /proc/self/mountinfo.

    TARGET   SOURCE     FSTYPE OPTIONS                                    (findmnt)
    /tmp     tmpfs      tmpfs  rw,nosuid,nodev,noexec
    /dev/sda1 on /boot type xfs (rw,relatime)                              (mount)
    /dev/sda1 /boot xfs rw,relatime 0 0                                    (/proc/mounts)
    36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw         (mountinfo)

A mountinfo line's per-mount options (noexec, nosuid, nodev, ro) and its superblock options are
both kept: either can refuse access.
"""

from __future__ import annotations

from lark import Transformer

from faultlens.model import Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.names import c_unescape, octal_unescape
from faultlens.parse.records import Mount, SnapshotRecords


def _options(text: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in text.split(",") if o.strip())


def parse_mount(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, _ in parsed_lines(text, source, "mount", _Checked, out.problems):
        # the grammar checked the shape; " type X (" decides whether a type is printed
        head, _, opts = line.rstrip().rpartition(" (")
        src, _, rest = head.partition(" on ")
        target, typed, fstype = rest.rpartition(" type ")
        options = _options(opts.rstrip(")"))
        if not typed:
            target, fstype = rest, (options[0] if options else "")
            options = options[1:]
        out.mounts.append(Mount(src.strip(), target, fstype, options, Location(source, number)))
    return out


class _Checked(Transformer):
    """The grammar only checks the line's shape: whether `type X` is printed (util-linux) or
    not (macOS) is told apart on the text, as target names may hold spaces."""


class _ProcMountsTree(Transformer):
    def start(self, items):
        src, target, fstype, opts = (octal_unescape(str(i)) for i in items[:4])
        return src, target, fstype, _options(opts)


def parse_proc_mounts(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, (src, target, fstype, options) in parsed_lines(
            text, source, "proc_mounts", _ProcMountsTree, out.problems, skip=lambda ln: ln.lstrip().startswith("#")):
        out.mounts.append(Mount(src, target, fstype, options, Location(source, number)))
    return out


class _MountinfoTree(Transformer):
    def start(self, items):
        words = [str(i) for i in items]
        sep = words.index("-", 6)
        target, mount_opts = octal_unescape(words[4]), _options(words[5])
        fstype, src = words[sep + 1], octal_unescape(words[sep + 2])
        super_opts = _options(words[sep + 3]) if len(words) > sep + 3 else ()
        options = mount_opts + tuple(o for o in super_opts if o not in mount_opts)
        return src, target, fstype, options


def parse_mountinfo(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, (src, target, fstype, options) in parsed_lines(
            text, source, "mountinfo", _MountinfoTree, out.problems):
        out.mounts.append(Mount(src, target, fstype, options, Location(source, number)))
    return out


class _FindmntTree(Transformer):
    def header(self, items):
        return None

    def row(self, items):
        target, src, fstype, opts = map(str, items)
        target = c_unescape(target[target.index("/"):])
        return c_unescape(src), target, fstype, _options(opts)


def parse_findmnt(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, value in parsed_lines(text, source, "findmnt", _FindmntTree, out.problems):
        if value is not None:
            src, target, fstype, options = value
            out.mounts.append(Mount(src, target, fstype, options, Location(source, number)))
    return out
