"""Process and service settings: `ulimit -a`, /proc/PID/status, systemd units, sysctl.

    open files                          (-n) 1024           (ulimit -a, bash)
    Groups:	1001 1005                                       (/proc/PID/status)
    ProtectHome=yes                                         (systemctl show UNIT)
    [Service]                                               (a unit file)
    fs.inotify.max_user_watches = 8192                      (sysctl)
"""

from __future__ import annotations

import posixpath
import re

from lark import Transformer

from faultlens.model import Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.records import LIMIT_LETTERS, KernelSetting, Limits, ProcessStatus, SnapshotRecords, UnitSettings

# dash prints names, not letters
_DASH_NAMES = {
    "time": "cpu", "file": "fsize", "data": "data", "stack": "stack", "coredump": "core",
    "memory": "rss", "locked memory": "memlock", "process": "nproc", "nofiles": "nofile",
    "vmemory": "as", "locks": "locks", "rtprio": "rtprio", "nice": "nice", "sbsize": "sbsize",
    "swap": "swap", "pipe": "pipe",
}
_LETTER = re.compile(r"-([A-Za-z])\)")


class _UlimitTree(Transformer):
    def bash(self, items):
        letter = _LETTER.search(str(items[0]))
        return LIMIT_LETTERS.get(letter.group(1)) if letter else None, str(items[1])

    def ash(self, items):
        return LIMIT_LETTERS.get(str(items[0])[1]), str(items[-1])

    def dash(self, items):
        name = str(items[0]).split("(", 1)[0].strip()
        return _DASH_NAMES.get(name), str(items[1])


def parse_ulimit(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    values: dict[str, str] = {}
    first = None
    for number, _line, (name, value) in parsed_lines(text, source, "ulimit", _UlimitTree, out.problems):
        first = first or number
        if name:
            values.setdefault(name, value)
    if first is not None:
        out.limits.append(Limits(values, Location(source, first)))
    return out


class _StatusTree(Transformer):
    def start(self, items):
        return str(items[0])[:-1], (str(items[1]).strip() if len(items) > 1 else "")


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.split() if t.isdigit())


def parse_proc_status(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    fields: dict[str, str] = {}
    first = None
    for number, _line, (key, value) in parsed_lines(text, source, "proc_status", _StatusTree, out.problems):
        if key == "Name" and "Name" in fields:  # several processes in one capture
            _flush_status(out, fields, source, first)
            fields, first = {}, None
        first = first or number
        fields.setdefault(key, value)
    _flush_status(out, fields, source, first)
    return out


def _flush_status(out: SnapshotRecords, fields: dict[str, str], source: str, first: int | None) -> None:
    if first is None:
        return
    pid = fields.get("Pid", "")
    out.processes.append(ProcessStatus(int(pid) if pid.isdigit() else None, fields.get("Name"),
                                       _ints(fields.get("Uid", "")), _ints(fields.get("Gid", "")),
                                       _ints(fields.get("Groups", "")), _ints(fields.get("NSpid", "")),
                                       Location(source, first)))


class _ShowTree(Transformer):
    def setting(self, items):
        return ("setting", (str(items[0])[:-1], str(items[1]).strip() if len(items) > 1 else ""))

    def continuation(self, items):
        return ("more", str(items[0]).strip())


def parse_systemctl_show(text: str, source: str) -> SnapshotRecords:
    """One UnitSettings per unit (a blank line separates units; `Id=` names each)."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    current: dict[str, str] = {}
    first, previous_line, last_key = None, 0, None

    def flush():
        if current:
            out.units.append(UnitSettings(current.get("Id"), dict(current), Location(source, first)))

    for number, _line, (what, value) in parsed_lines(text, source, "systemctl_show", _ShowTree, out.problems):
        if number > previous_line + 1 and current:  # a blank line ends a unit
            flush()
            current, first = {}, None
        previous_line = number
        if what == "more":  # a value wrapped onto the next line
            if last_key is not None:
                current[last_key] = f"{current[last_key]} {value}".strip()
            continue
        key, val = value
        first = first or number
        current[key] = val
        last_key = key
    flush()
    return out


class _UnitTree(Transformer):
    def section(self, items):
        return ("section", str(items[0])[1:-1])

    def setting(self, items):
        return ("setting", (str(items[0]), str(items[1]).strip() if len(items) > 1 else ""))

    def comment(self, items):
        return ("comment", None)


# settings that add up when given again (an empty assignment resets them)
_LISTS = {"ReadOnlyPaths", "ReadWritePaths", "InaccessiblePaths", "SupplementaryGroups", "ExecPaths",
          "NoExecPaths", "BindPaths", "BindReadOnlyPaths", "TemporaryFileSystem", "Environment"}


def parse_unit_file(text: str, source: str) -> SnapshotRecords:
    """The [Service] section's settings (the unit is named from the file name when it has one)."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    section, settings, first = None, {}, None
    for number, _line, (what, value) in parsed_lines(text, source, "unit_file", _UnitTree, out.problems):
        if what == "section":
            section = value
            first = first or (number if value == "Service" else None)
        elif what == "setting" and section == "Service":
            key, val = value
            if key in _LISTS and val and settings.get(key):
                settings[key] = f"{settings[key]} {val}"
            else:
                settings[key] = val
    if first is not None:
        name = posixpath.basename(source.rsplit(":", 1)[-1])
        unit = name if name.endswith((".service", ".socket", ".mount", ".conf")) else None
        out.units.append(UnitSettings(unit, settings, Location(source, first)))
    return out


class _SysctlTree(Transformer):
    def dotted(self, items):
        return str(items[0]), (str(items[1]) if len(items) > 1 else "")

    def path(self, items):
        name = str(items[0])[len("/proc/sys/"):-1].replace("/", ".")
        return name, (str(items[1]) if len(items) > 1 else "")

    def note(self, items):
        return None


def parse_sysctl(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, value in parsed_lines(text, source, "sysctl", _SysctlTree, out.problems):
        if value is not None:
            out.kernel.append(KernelSetting(value[0], value[1], Location(source, number)))
    return out
