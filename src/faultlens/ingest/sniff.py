"""What kind of input is this? One table, decided from content (names only break ties).

Each row gives a format, its kind, and a signature a typical line of that format matches. The
format whose signature matches most of the first meaningful lines wins; parsers never guess.
"""

from __future__ import annotations

import re

from msgspec import Struct

from faultlens.ingest.decode import looks_binary

_MODE = r"[-dlcbpsDhVM][-rwxsStTlL]{9}[.+@]?"
_UNKNOWN_MODE = r"[-dlcbpsDh?]\?{9}[.+@]?"
_CONTEXT = r"[\w.-]+:[\w.-]+:[\w.-]+(?::[\w.,:-]+)?"
# a file's label as `ls -Z` prints it alone on a line: role object_r, a *_t type
_FILE_CONTEXT = r"[\w.-]+:object_r:[\w.-]+_t(?::[\w.,:-]+)?"
_SIZE = r"(?:\d+|\d+,\s*\d+|\d+(?:[.,]\d+)?(?:[KMGTPEkmgtpe]i?B?|B))"
_AMOUNT = r"(?:\d+(?:[.,]\d+)?(?:[KMGTPE]i?)?|-)"
SAMPLE_LINES = 64
MIN_SHARE = 0.6


class Sniffed(Struct, frozen=True):
    kind: str  # log | snapshot | metadata | skipped
    format: str
    # why a file that looks like a snapshot is read as a log anyway (reported as a problem)
    note: str | None = None


class _Row(Struct, frozen=True):
    format: str
    kind: str
    line: re.Pattern[str]
    # lines that belong to the format but carry no entry (ls -lR headers, totals, blank)
    filler: re.Pattern[str] | None = None
    # a line that must be present somewhere in the sample (namei's "f: path" header)
    requires: re.Pattern[str] | None = None


# a terminal session's prompt running the command whose output follows (`user@host:~$ ls -l x`,
# `[root@h dir]# stat f`, `$ sudo namei -l p`): part of the capture, no line of the output
PROMPT_COMMAND = r"(?:\S.*?)?[$#%>]\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ls|ll|stat|namei|getfacl|lsattr|id|umask|df)(?:\s.*)?"
_PROMPT = re.compile(rf"^{PROMPT_COMMAND}$")
_LS_FILLER = re.compile(rf"^(?:(?:total|总用量|合計|합계|insgesamt) \d+(?:[.,]\d+)?[KMGTkmgt]?|.+:|ls: .*|{PROMPT_COMMAND})$")
_LS_LINE = re.compile(
    rf"^(?:{_MODE}\s+\d+\s+\S+\s+(?:\S+\s+)?(?:(?:{_CONTEXT}|\?)\s+)?{_SIZE}\s+\S+\s+\S+\s+\S.*"  # ls -l[Z]
    rf"|{_MODE}\s+\S+\s+\S+\s+{_CONTEXT}\s+\S.*"  # ls -lZ (RHEL 6)
    rf"|{_UNKNOWN_MODE}(?:\s+\?){{5,6}}\s+\S.*"  # entries ls could not stat
    rf"|(?:{_FILE_CONTEXT}|\?)\s+\S.*)$")  # ls -Z

# a session's command showing groups: `groups [USER]`, `id [USER]`, `getent group NAME`, `grep NAME /etc/group`
# (grep's options and pattern as at most four words, not `grep\s.*/etc/group`: that ran to the
# line's end from every prompt character, quadratic on a line of `$grep $grep ...`)
_GROUP_COMMAND = r"(?:\S.*?)?[$#%>]\s*(?:sudo\s+(?:-\S+\s+)*)?(?:groups|id|getent\s+group|grep(?:\s+\S+){1,4}?\s+/etc/group)(?:\s.*)?"
_GROUP_OUTPUT = (r"uid=\d+(?:\([^)]*\))? gid=\d+.*"  # id
                 r"|[A-Za-z_][\w.$-]*(?: [A-Za-z_][\w.$-]*)*"  # groups
                 r"|[A-Za-z_][\w.$-]* :(?: [A-Za-z_][\w.$-]*)*"  # groups USER
                 r"|[A-Za-z_][\w.$-]*:[^:\s]*:\d+:[\w.$,-]*")  # getent group NAME, /etc/group

# Order matters on equal shares: the more specific format comes first.
FORMATS: tuple[_Row, ...] = (
    # a terminal session showing whose groups are whose (parse/session.py); its listings too
    _Row("session", "snapshot", re.compile(rf"^(?:{_GROUP_COMMAND}|{_GROUP_OUTPUT}|{_LS_LINE.pattern[1:-1]})$"), _LS_FILLER,
         requires=re.compile(rf"^{_GROUP_COMMAND}$")),
    _Row("id", "snapshot", re.compile(r"^uid=\d+(?:\([^)]*\))? gid=\d+")),
    _Row("umask", "snapshot", re.compile(r"^(?:0?[0-7]{3,4}|u=[rwx]*,g=[rwx]*,o=[rwx]*)$")),
    _Row("getenforce", "snapshot", re.compile(r"^(?:Enforcing|Permissive|Disabled)$")),
    _Row("namei", "snapshot", re.compile(rf"^(?:f: .+|\s*{_MODE}\s+.+|namei: .+)$"), _PROMPT, requires=re.compile(r"^f: ")),
    _Row("stat", "snapshot", re.compile(r"^\s*(?:File: .+|Size: \d+\s.*|Device: .*|Access: .*|Modify: .*|Change: .*|Birth: .*|Context: .*)$"),
         _PROMPT),
    _Row("df", "snapshot", re.compile(
        rf"^(?:Filesystem\s+.*(?:Mounted on|Use%|IUse%|Capacity).*"
        rf"|\S+(?: \S+)?\s+(?:{_AMOUNT}\s+){{3}}(?:\d+%|-)\s+(?:(?:{_AMOUNT}\s+){{2}}(?:\d+%|-)\s+)?/.*"
        rf"|\s+(?:{_AMOUNT}\s+){{3}}(?:\d+%|-)\s+/.*)$"), re.compile(r"^\S+$"),
        requires=re.compile(r"^Filesystem\s")),
    _Row("findmnt", "snapshot", re.compile(
        r"^(?:TARGET\s+SOURCE\s+FSTYPE\s+OPTIONS\s*|[│├└─|`\- ]*/\S*\s+\S+\s+\S+\s+(?:rw|ro)(?:,\S+)?)$")),
    _Row("mount", "snapshot", re.compile(r"^\S+ on .+ (?:type \S+ )?\([^()]*\)$")),
    _Row("proc-mounts", "snapshot", re.compile(r"^\S+\s+/\S*\s+\S+\s+(?:rw|ro)(?:,\S+)?\s+\d+\s+\d+$")),
    _Row("mountinfo", "snapshot", re.compile(r"^\d+\s+\d+\s+\d+:\d+\s+\S+\s+\S+\s+\S+(?:\s+\S+)*?\s+-\s+\S+\s+\S+.*$")),
    _Row("sestatus", "snapshot", re.compile(r"^(?:[A-Z][^:]*:(?:\s+.*)?|\S+\s+\S+)$"),
         requires=re.compile(r"^(?:SELinux status|Current mode|Loaded policy name):")),
    _Row("aa-status", "snapshot", re.compile(r"^(?:apparmor .*|\d+ (?:profiles?|process(?:es)?) .*|\s+\S.*)$"),
         requires=re.compile(r"^apparmor (?:module|filesystem) is ")),
    _Row("getfacl", "snapshot", re.compile(
        r"^(?:# (?:file|owner|group|flags): .*|(?:default:)?(?:user|group|mask|other):[^:\s]*:[r-][w-][xX-]"
        r"(?:\s+#effective:[r-][w-][xX-])?|getfacl: .*)$"), requires=re.compile(r"^(?:# file: |user::)")),
    # the flags column always shows dashes for the attributes not set ("exec /x: ..." is no row)
    _Row("lsattr", "snapshot", re.compile(r"^(?:(?=\S*-)[-suSDiadAcEjItTeCxFNPVmu]{4,32}\s+\S.*|lsattr: .*)$"),
         re.compile(r"^.+:$")),
    _Row("ulimit", "snapshot", re.compile(
        r"^(?:[^(]+\((?:[^()]*,\s*)?-[A-Za-z]\)\s+(?:unlimited|\d+)|-[A-Za-z]: .*\s(?:unlimited|\d+)"
        r"|[a-z][a-z ]*(?:\([a-z]+\))?\s+(?:unlimited|\d+))$"),
        requires=re.compile(r"^(?:.*\(-n\)|-n: |nofiles\s)")),
    _Row("proc-status", "snapshot", re.compile(r"^[A-Za-z_][\w()]*:(?:\t.*)?$"), requires=re.compile(r"^Uid:\t")),
    _Row("systemctl-show", "snapshot", re.compile(r"^[A-Z][A-Za-z0-9]*=.*$"),
         requires=re.compile(r"^(?:Id|Names|MainPID|ExecMainPID|ProtectHome|ProtectSystem|NoNewPrivileges|User|LoadState)=")),
    _Row("unit-file", "snapshot", re.compile(r"^(?:\[[^\]]+\]|[A-Za-z][\w.-]*\s*=.*|\s*[#;].*)$"),
         requires=re.compile(r"^\[(?:Service|Unit|Install|Socket|Mount)\]")),
    _Row("sysctl", "snapshot", re.compile(r"^(?:[a-z0-9_]+(?:\.[\w\-/*]+)+\s*=\s*.*|/proc/sys/\S+?:\s*.*|sysctl: .*)$")),
    _Row("tar-gnu", "snapshot", re.compile(rf"^{_MODE}\s+[^\s/]+/\S+\s+[\d,]+\s+\d{{4}}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s.+$")),
    _Row("bsd-stat", "snapshot", re.compile(
        rf'^\d+\s+\d+\s+{_MODE}\s+\d+\s+\S+\s+\S+\s+\S+\s+\d+\s+(?:"[^"]*"\s+){{4}}\d+\s+\d+\s+\S+\s+.+$')),
    _Row("find-ls", "snapshot", re.compile(rf"^\s*\d+\s+\d+\s+{_MODE}\s+\d+\s+\S+\s+\S+\s+.+$")),
    _Row("ls", "snapshot", _LS_LINE, _LS_FILLER),
    _Row("find-printf", "snapshot", re.compile(rf"^{_MODE}\s+\S+\s+\S+\s+\d+\s+\S.*$")),
    _Row("find-printf-octal", "snapshot", re.compile(r"^[0-7]{3,4}\s+\S+\s+\S+\s+(?:\d+\s+)?\S.*$")),
    # faultlens collect's listing (parse/collected.py): escaped find -ls lines after its header
    _Row("faultlens-listing", "snapshot", re.compile(rf"^(?:# faultlens-listing \d+: .*|\s*\d+\s+\d+\s+{_MODE}\s+\S.*)$"),
         requires=re.compile(r"^# faultlens-listing \d+: ")),
)

# what a format is called when a file looks like it but too many lines do not fit
_LOOKS_LIKE = {"ls": "an ls listing", "find-ls": "a find -ls listing", "tar-gnu": "a tar listing",
               "df": "df output", "stat": "stat output", "namei": "namei output"}
LOOKS_LIKE_SHARE = 0.2
LOOKS_LIKE_LINES = 3

_METADATA_NAMES = ("run.yaml", "run.yml", "faultlens-manifest.txt")
_JUNIT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<testsuites?[\s>]", re.S)
_TAP = re.compile(r"^(?:TAP version \d+|1\.\.\d+)\s*$")
_TAP_LINE = re.compile(r"^(?:not )?ok\b")
_JOURNALD_KEYS = ("__REALTIME_TIMESTAMP", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "PRIORITY", "__CURSOR")
_MESSAGE_KEYS = ("message", "msg", "MESSAGE", "log", "@message", "text", "Message")


def sniff(name: str, data: bytes, text: str) -> Sniffed:
    if looks_binary(data):
        return Sniffed("skipped", "binary")
    if name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] in _METADATA_NAMES:
        return Sniffed("metadata", "run-yaml")
    lines = _sample(text)
    if not lines:
        return Sniffed("log", "plain")
    structured = _structured_log(text, lines)
    if structured:
        return Sniffed("log", structured)
    best: tuple[float, _Row] | None = None
    near: tuple[int, int, _Row] | None = None  # (lines that fit, lines, row) of a listing under MIN_SHARE
    for row in FORMATS:
        if row.requires and not any(row.requires.match(ln) for ln in lines):
            continue
        meaningful = [ln for ln in lines if not (row.filler and row.filler.match(ln))]
        if not meaningful:
            continue
        fits = sum(1 for ln in meaningful if row.line.match(ln))
        share = fits / len(meaningful)
        if share >= MIN_SHARE and (best is None or share > best[0]):
            best = (share, row)
        elif row.format in _LOOKS_LIKE and fits >= LOOKS_LIKE_LINES and share >= LOOKS_LIKE_SHARE \
                and (near is None or fits > near[0]):
            near = (fits, len(meaningful), row)
    if best is None:
        if near is not None:
            fits, total, row = near
            return Sniffed("log", "plain", f"looks like {_LOOKS_LIKE[row.format]} but {total - fits} of {total} "
                                           f"sampled lines could not be read as one: read as a plain log")
        return Sniffed("log", "plain")
    return Sniffed(best[1].kind, best[1].format)


def _structured_log(text: str, lines: list[str]) -> str | None:
    if _JUNIT.match(text[:4096]):
        return "junit"
    if _TAP.match(lines[0]) and any(_TAP_LINE.match(ln) for ln in lines[1:]):
        return "tap"
    objects = [_json_object(ln) for ln in lines[:16] if ln.lstrip().startswith("{")]
    objects = [o for o in objects if o is not None]
    if not objects or len(objects) < max(1, len(lines[:16]) // 2):
        return None
    if any(k in o for o in objects for k in _JOURNALD_KEYS) and any("MESSAGE" in o for o in objects):
        return "journald-json"
    if any(k in o for o in objects for k in _MESSAGE_KEYS):
        return "json-lines"
    return None


def _json_object(line: str) -> dict | None:
    import json  # here: most inputs hold no JSON

    try:
        value = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    return value if isinstance(value, dict) else None


def _sample(text: str) -> list[str]:
    out = []
    for line in text[: 1 << 16].splitlines():
        if line.strip():
            out.append(line.rstrip())
            if len(out) >= SAMPLE_LINES:
                break
    return out
