"""Access control beyond mode bits: MAC state, POSIX ACLs, file attributes.

    Enforcing                                       (getenforce)
    Current mode:                   enforcing       (sestatus)
    40 profiles are in enforce mode.                (aa-status)
    # file: opt/ts/releases                          (getfacl)
    user:tester:r-x
    ----i---------e------- /opt/ts/bin/executive    (lsattr)
"""

from __future__ import annotations

import posixpath

from lark import Transformer

from faultlens.model import Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.names import octal_unescape
from faultlens.parse.records import Acl, FileAttributes, MacState, SnapshotRecords


class _Tokens(Transformer):
    """Rules become (rule name, [token texts])."""

    def __default__(self, data, children, meta):
        return str(data), [str(c) for c in children]


def parse_getenforce(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, _line, (_, (state,)) in parsed_lines(text, source, "getenforce", _Tokens, out.problems):
        out.mac.append(MacState("selinux", state.lower(), None, at=Location(source, number)))
    return out


def parse_sestatus(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    fields: dict[str, str] = {}
    first = None
    for number, _line, (what, tokens) in parsed_lines(text, source, "sestatus", _Tokens, out.problems):
        if what == "field":
            first = first or number
            fields.setdefault(tokens[0][:-1].strip().lower(), tokens[1].strip() if len(tokens) > 1 else "")
    if first is not None:
        status = fields.get("selinux status")
        mode = fields.get("current mode") or ("disabled" if status == "disabled" else status or "unknown")
        policy = fields.get("loaded policy name") or fields.get("policy from config file")
        out.mac.append(MacState("selinux", mode.lower(), policy, at=Location(source, first)))
    return out


def parse_aa_status(text: str, source: str) -> SnapshotRecords:
    """The module state, and which profiles enforce or only complain."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    loaded, first, section, counts = None, None, None, {}
    profiles: list[tuple[str, str]] = []
    for number, line, (what, tokens) in parsed_lines(text, source, "aa_status", _Tokens, out.problems):
        if what == "state":
            first = first or number
            loaded = " not " not in tokens[0] and loaded is not False
        elif what == "count":
            first = first or number
            n, counted = int(tokens[0]), tokens[1]
            kind = "profiles" if counted.startswith("profile") else "processes"
            mode = counted.rstrip(".").rsplit(" ", 2)[-2] if counted.rstrip(".").endswith(" mode") else None
            section = (kind, mode)
            if kind == "profiles" and mode:
                counts[mode] = n
            elif kind == "profiles":
                counts["loaded"] = n
        elif what == "name" and section and section[0] == "profiles" and section[1]:
            profiles.append((tokens[0].strip(), section[1]))
    if first is None:
        return out
    if loaded is False:
        mode = "disabled"
    elif counts.get("enforce", 0) > 0:
        mode = "enforcing"
    elif counts.get("complain", 0) > 0 or counts.get("loaded", 0) > 0:
        mode = "complain"
    else:
        mode = "enabled" if loaded else "unknown"
    policy = f"{counts['loaded']} profiles loaded" if "loaded" in counts else None
    out.mac.append(MacState("apparmor", mode, policy, tuple(profiles), Location(source, first)))
    return out


_TAGS = {"u": "user", "g": "group", "m": "mask", "o": "other"}


class _AclTree(Transformer):
    def header(self, items):
        return ("header", (str(items[0]).lstrip("#").strip()[:-1], str(items[1]).strip() if len(items) > 1 else ""))

    def note(self, items):
        return ("note", str(items[0]))

    def entry(self, items):
        tokens = {t.type: str(t) for t in items}
        tag = _TAGS.get(tokens["TAG"], tokens["TAG"])
        effective = tokens.get("EFFECTIVE")
        return ("entry", ("DEFAULT" in tokens, (tag, octal_unescape(tokens.get("QUALIFIER", "")), tokens["PERMS"]),
                          effective[-3:] if effective else None))


def parse_getfacl(text: str, source: str) -> SnapshotRecords:
    """Several files, each from its `# file:` header. getfacl drops the leading '/' (and says so
    on stderr); when that note is in the capture the '/' is put back."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    absolute = "getfacl: Removing leading '/'" in text
    current: dict | None = None

    def flush():
        if current is not None and current["entries"]:
            entries = tuple(current["entries"])
            mask = next((perms for tag, _q, perms in entries if tag == "mask"), None)
            out.acls.append(Acl(current["path"], tuple(e for e in entries if e[0] != "mask"), mask,
                                tuple(current["default"]), tuple(current["effective"]), current.get("owner"),
                                current.get("group"), Location(source, current["line"])))

    for number, _line, (what, value) in parsed_lines(text, source, "getfacl", _AclTree, out.problems):
        if what == "header":
            key, val = value
            if key == "file":
                flush()
                path = octal_unescape(val)
                if absolute and not path.startswith("/"):
                    path = "/" + path
                current = {"path": posixpath.normpath(path), "line": number, "entries": [], "default": [],
                           "effective": []}
            elif current is not None:
                current[key] = octal_unescape(val)
        elif what == "entry":
            if current is None:  # `getfacl --omit-header`: one nameless file
                current = {"path": "?", "line": number, "entries": [], "default": [], "effective": []}
            default, entry, effective = value
            (current["default"] if default else current["entries"]).append(entry)
            if effective and not default:
                current["effective"].append((entry[0], entry[1], effective))
    flush()
    return out


class _LsattrTree(Transformer):
    def entry(self, items):
        return ("entry", (str(items[0]), str(items[1])))

    def failure(self, items):
        return ("failure", str(items[0]))

    def header(self, items):
        return ("header", str(items[0])[:-1])


def parse_lsattr(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    # `lsattr -R` prints each name with its directory already: its `dir:` headers add nothing
    for number, _line, (what, value) in parsed_lines(text, source, "lsattr", _LsattrTree, out.problems):
        if what == "entry":
            flags, name = value
            out.attributes.append(FileAttributes(posixpath.normpath(name), flags.replace("-", ""),
                                                 Location(source, number)))
    return out
