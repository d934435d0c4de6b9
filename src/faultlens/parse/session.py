"""A pasted terminal session that shows whose groups are whose: each command's output is read for
what that command prints, and says whether it is the shell's own groups or the account's.

    pi@raspberrypi:~ $ groups                  the session's groups (fixed when it logged in)
    pi adm cdrom sudo audio video
    pi@raspberrypi:~ $ groups pi               the account's groups, as /etc/group has them now
    pi : pi adm dialout cdrom sudo audio video
    $ id                                       the session's; `id USER`: the account's
    uid=1000(pi) gid=1000(pi) groups=1000(pi),4(adm)
    $ getent group docker                      the account is a member per /etc/group
    docker:x:999:pi
    $ ls -l /dev/ttyUSB0                       other listings: read by their own parser
    crw-rw---- 1 root dialout 188, 0 Mar  3 10:12 /dev/ttyUSB0

Lines under no such command (error messages, other commands) are left to be read as a log.
"""

from __future__ import annotations

import re
import shlex
from functools import cache

import re2
from msgspec.structs import replace

from faultlens.model import Location, Problem
from faultlens.parse.grammar import grammar, parse_errors
from faultlens.parse.logs import LogText
from faultlens.parse.records import GroupView, SnapshotRecords

# a prompt (`user@host:~$`, `[root@h dir]#`, `$`) running a command: group "user" is the prompt's
# account where it shows one (RE2: its two lazy runs would make Python's re quadratic on a long line)
_PROMPT = re2.compile(r"^(?:(?:\[?(?P<user>[a-z_][\w.-]*)@\S*?)?.*?)?[$#%>]\s*(?P<sudo>sudo\s+(?:-\S+\s+)*)?"
                     r"(?P<command>[\w.-]+)(?:\s+(?P<args>.*))?$")
# commands whose output another snapshot parser reads (ll: the `ls -l` alias shells define)
_DELEGATED = {"ls": "ls", "ll": "ls", "stat": "stat", "namei": "namei", "getfacl": "getfacl", "lsattr": "lsattr",
              "umask": "umask", "df": "df"}
_GROUP_COMMANDS = frozenset({"groups", "id", "getent", "grep"})


@cache
def _groups_tree():
    """The transformer for grammars/groups.lark (lark is loaded only when a session is read)."""
    from lark import Transformer

    class _GroupsTree(Transformer):
        def names(self, items):
            return "names", None, tuple(str(i) for i in items)

        def member(self, items):
            return "member", str(items[0]), tuple(str(i) for i in items[1:])

        def entry(self, items):
            words = [str(i) for i in items]
            name, rest = words[0], words[1:]
            if rest and not rest[0].isdigit():
                rest = rest[1:]  # the password field
            return "entry", name, tuple(rest[1:])

        def start(self, items):
            return items[0]

    return _GroupsTree


def _command(line: str):
    """(command, its arguments, run with sudo, the prompt's user) of a prompt line, else None."""
    m = _PROMPT.match(line.strip())
    if m is None or m["command"] not in _GROUP_COMMANDS and m["command"] not in _DELEGATED:
        return None
    try:
        args = shlex.split(m["args"] or "", comments=True)
    except ValueError:
        args = (m["args"] or "").split()
    return m["command"], args, bool(m["sudo"]), m["user"]


def _expected(name: str, args: list[str]) -> int | None:
    """How many output lines the command prints (None: as many as follow and fit)."""
    words = [a for a in args if not a.startswith("-")]
    if name == "getent":
        return len(words) - 1 if len(words) > 1 else None
    if name in ("groups", "id"):
        return max(1, len(words))
    return None


def _read(numbered: list[tuple[int, str]], source: str, out: SnapshotRecords, delegate: bool = True) -> set[int]:
    """Read each command's output that follows its prompt line, for as many lines as it prints and
    they fit; returns the numbers of the lines read (prompt lines included)."""
    parse, transform, errors = grammar("groups").parse, _groups_tree()().transform, parse_errors()
    used: set[int] = set()
    i = 0
    while i < len(numbered):
        number, line = numbered[i]
        command = _command(line) if line.strip() else None
        i += 1
        if command is None:
            continue
        name, args, sudo, prompt_user = command
        if name in _DELEGATED:
            if delegate:
                block = [(number, line)]
                while i < len(numbered) and _command(numbered[i][1]) is None and not _OTHER_PROMPT.match(numbered[i][1].strip()):
                    block.append(numbered[i])
                    i += 1
                out.extend(_delegated(_DELEGATED[name], block, source))
                used.update(n for n, _ in block)
            continue
        used.add(number)
        users = [a for a in args if not a.startswith("-")]
        want = _expected(name, args)
        read = 0
        while i < len(numbered) and (want is None or read < want):
            n, text = numbered[i]
            view = _view(name, users, sudo, prompt_user, text, source, n, parse, transform, errors, out)
            if view is None:
                break
            out.group_views.extend(view)
            used.add(n)
            read += 1
            i += 1
    return used


_OTHER_PROMPT = re.compile(r"^\S*[$#%>]\s")  # a prompt running some other command: ends a listing


def _delegated(fmt: str, block: list[tuple[int, str]], source: str) -> SnapshotRecords:
    """A listing's lines read by its own parser, at their own line numbers."""
    from faultlens.parse import snapshot_parser  # the registry; imported here, it lists this parser too

    shown = dict(block)
    text = "\n".join(shown.get(n, "") for n in range(1, max(shown) + 1))
    return snapshot_parser(fmt)(text, source)


def parse_session(text: str, source: str) -> SnapshotRecords:
    lines = text.split("\n")
    out = SnapshotRecords()
    numbered = list(enumerate(lines, start=1))
    used = _read(numbered, source, out)
    out.lines = len(lines)
    out.problems += [Problem(source, f"not the output of a command read here: {line.strip()[:80]}", n)
                     for n, line in numbered if n not in used and line.strip()]
    return out


# a log's own start of line before the text a program printed: a CI or ISO time stamp, a syslog
# header with host and tag (and a journal view's <priority>), a bracketed clock, pytest's "E" column
_LOG_PREFIX = re2.compile(r"^(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? "
                          r"(?:(?:[A-Za-z0-9][\w.-]* )?[\w./@-]+(?:\[\d+\])?: )?(?:<\w+> )?"
                          r"|[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d [A-Za-z0-9][\w.-]* [\w./-]+(?:\[\d+\])?: "
                          r"|\[\d\d:\d\d:\d\d(?:\.\d+)?\] |E {3,})")
_IN_LOG = re2.compile(r"(?m)[$#%>][ \t]*(?:sudo[ \t]+(?:-[^\s]+[ \t]+)*)?(?:groups|id|getent[ \t]+group|grep[ \t][^\n]*/etc/group)(?:[ \t][^\n]*)?$")
IN_LOG_LINES = 12  # the most lines after a command line read as its output
IN_LOG_CHARS = 8192  # ...and characters
MAX_IN_LOG = 50  # the most command lines read in one log


# The matcher's pattern for a log that may hold such a session: every command read here, or its
# output, holds one of these words (`id` prints `uid=N`), so a log without a hit is not read again
# (a big log's held 64 MiB would cost a decode and a scan; the matcher's pass costs nothing more).
IN_LOG_KEY = "session/groups"
IN_LOG_HINT = r"(?i)\bgroups\b|\bgetent\b|/etc/group\b|\buid=\d"


def records_in_log(log: LogText) -> SnapshotRecords:
    """The group outputs a session pasted into a log shows (`$ groups`, `$ id USER`...), each
    line read without the log's own prefix; nothing else of the log. Asked only of a log the
    matcher found IN_LOG_HINT in."""
    out = SnapshotRecords()
    text = log.data.decode("utf-8", "replace")
    used: set[int] = set()
    first, counted = 1, 0  # the line number at offset `counted`
    for found, m in enumerate(_IN_LOG.finditer(text)):
        if found >= MAX_IN_LOG:
            break
        start = text.rfind("\n", 0, m.start()) + 1
        first += text.count("\n", counted, start)
        counted = start
        if log.original_line(first) in used:
            continue
        window = text[start:start + IN_LOG_CHARS].split("\n")[:IN_LOG_LINES + 1]
        numbered = [(log.original_line(first + k), _LOG_PREFIX.sub("", ln, count=1)) for k, ln in enumerate(window)]
        used |= _read(numbered, log.source, out, delegate=False)
    return out


def _view(name, users, sudo, prompt_user, line, source, number, parse, transform, errors, out) -> list[GroupView] | None:
    at = Location(source, number)
    if name == "id":
        if not line.lstrip().startswith("uid="):
            return None
        from faultlens.parse.account import parse_id  # lark: only where a session shows id output

        parsed = parse_id(line.strip(), source)
        if not parsed.identities:
            return None
        if sudo and not users:
            return []  # root's own groups: says nothing about the account's session
        ident = replace(parsed.identities[0], at=at)
        out.identities.append(ident)
        whose = "account" if users else "session"
        return [GroupView(whose, ident.user, tuple(ident.groups) or ((ident.group,) if ident.group else ()), at, line.strip())]
    if name == "grep" and "/etc/group" not in users:
        return None
    if name == "getent" and (not users or users[0] != "group"):
        return None
    try:
        kind, who, groups = transform(parse(line.strip()))
    except errors:
        return None
    if name in ("getent", "grep"):
        return [GroupView("account", member, (who,), at, line.strip()) for member in groups] if kind == "entry" else None
    if kind == "entry":
        return None
    if kind == "member":
        return [GroupView("account", who, groups, at, line.strip())]
    if users:  # a `groups USER` that prints the bare list (busybox)
        return [GroupView("account", users[0], groups, at, line.strip())]
    if sudo:
        return []
    return [GroupView("session", prompt_user, groups, at, line.strip())]
