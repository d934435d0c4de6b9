"""Who and how: `id` and `umask` output.

    uid=1001(tester) gid=1001(tester) groups=1001(tester),27(sudo)
    0077            u=rwx,g=,o=
"""

from __future__ import annotations

from lark import Transformer

from faultlens.model import Identity, Location, UmaskSetting
from faultlens.parse.lines import parsed_lines
from faultlens.parse.records import SnapshotRecords


class _IdTree(Transformer):
    def ident(self, items):
        number = int(items[0])
        return number, (str(items[1]) if len(items) > 1 else str(number))

    def groups(self, items):
        return ("groups", tuple(items))

    def context(self, items):
        return ("context", None)

    def start(self, items):
        (uid, user), (gid, group) = items[0], items[1]
        groups = next((value for what, value in items[2:] if what == "groups"), ((gid, group),))
        return uid, user, gid, group, tuple(name for _, name in groups), tuple(number for number, _ in groups)


class _UmaskTree(Transformer):
    def octal(self, items):
        return int(str(items[0]), 8)

    def perms(self, items):
        kept = str(items[0]) if items else ""
        return 7 & ~((4 if "r" in kept else 0) | (2 if "w" in kept else 0) | (1 if "x" in kept else 0))

    def symbolic(self, items):
        user, group, other = items
        return user << 6 | group << 3 | other


def parse_id(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (uid, user, gid, group, groups, gids) in parsed_lines(text, source, "id", _IdTree, out.problems):
        out.identities.append(Identity(user, uid, group, gid, groups, Location(source, number),
                                       tuple(g for g in gids if isinstance(g, int))))
    return out


def parse_umask(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, value in parsed_lines(text, source, "umask", _UmaskTree, out.problems):
        out.umasks.append(UmaskSetting(value, Location(source, number)))
    return out
