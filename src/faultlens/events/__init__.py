"""What failed: log lines -> typed failure events (operation, errno, object, speaker).

A Java AccessDeniedException, a Python PermissionError, Go's `open X: permission denied` and
nginx's `(13: Permission denied)` become one record that facts and causes reason on; the wording
stays as evidence. The forms, one file per ecosystem family, are data (events/forms/*.yaml); this
module loads them once, reads the lines the matcher found (every knowledge-base hit, and every
line that names an errno), and normalizes what they say.
"""

from __future__ import annotations

from functools import cache

import re2
from msgspec import Struct

from faultlens.cache import memo
from faultlens.events.errno import TEXTS, name_of
from faultlens.model import Event
from faultlens.resources import package_dir

# The families, in the order their forms are tried: the most specific wordings first.
ORDER = ("systemd", "container", "kubernetes", "webserver", "database", "pkg", "ansible", "ssh-git", "jvm",
         "python", "node", "dotnet", "rust", "ruby", "go", "shell", "build", "c")
ERRNO_KEY = "events/errno"  # the matcher's pattern for a line that names an errno
CONTEXT_KEY = "events/context/"
MAX_EVENTS = 200

# A line that names an errno however it is spelled: strerror texts, E-names, numbers in brackets.
ERRNO_LINE = ("(?i)" + "|".join(sorted({t.replace(".", r"\.").replace("/", "/") for t in TEXTS}, key=lambda t: (-len(t), t)))
              + r"|\b(?:EACCES|EPERM|ENOENT|ENOSPC|EDQUOT|EMFILE|ENFILE|EROFS|EADDRINUSE|ECONNREFUSED|ETIMEDOUT|EAGAIN"
              r"|ETXTBSY|ELOOP|E2BIG|ENOEXEC|EIO|ESTALE|EBUSY|ENOMEM|EEXIST|ENOTDIR|EISDIR|EHOSTUNREACH|ENETUNREACH"
              r"|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN)\b|\[Errno \d+\]|\berrno[ =:]+\d+|\bos error \d+\b|\(\d+: [A-Z][a-z]")

# What the words of a message call the operation (first rule that fits, in order).
_OPS = (
    (("lock",), "lock"), (("mkdir", "make directory", "create directory", "work tree dir", "leading directories"), "mkdir"),
    (("rename", "move", "mv "), "rename"), (("unlink", "remove", "rmdir", "delete"), "unlink"),
    (("chown", "ownership", "chgrp", "group of", "lchown"), "chown"), (("chmod", "permissions of", "set permissions", "change mode"), "chmod"),
    (("creat", "touch", "overwrite", "copyfile", "file_put_contents", "move_uploaded_file", "symlink", "link",
      "temporary"), "create"),
    (("lstat", "stat", "access", "readlink"), "stat"), (("chdir", "change dir", "cd", "pushd"), "chdir"),
    (("exec", "spawn", "run", "execute"), "exec"), (("connect", "dial"), "connect"), (("bind", "listen"), "bind"),
    (("resolve", "lookup", "getaddrinfo"), "resolve"), (("fork", "clone", "pthread_create"), "fork"),
    (("watch", "inotify"), "watch"), (("mount",), "mount"), (("write", "fsync", "extend", "truncate"), "write"),
    (("open", "fopen", "include", "require", "read", "file_get_contents"), "open"),
)
_EXCEPTIONS = {
    "accessdeniedexception": "EACCES", "nosuchfileexception": "ENOENT", "filealreadyexistsexception": "EEXIST",
    "directorynotemptyexception": "ENOTEMPTY", "notdirectoryexception": "ENOTDIR", "filesystemloopexception": "ELOOP",
    "readonlyfilesystemexception": "EROFS", "connectexception": "ECONNREFUSED", "unknownhostexception": "EAI_NONAME",
    "bindexception": "EADDRINUSE", "sockettimeoutexception": "ETIMEDOUT", "noroutetohostexception": "EHOSTUNREACH",
    "no such host": "EAI_NONAME", "executable file not found in $path": "ENOENT", "command not found": "ENOENT",
}
_KEEP_OPS = frozenset({"import", "load", "build", "compile", "link", "configure", "pull", "auth", "probe", "alloc",
                       "accept"})


class _Form(Struct, frozen=True):
    speaker: str
    regex: object  # compiled RE2
    op: str | None = None
    errno: str | None = None
    needs_errno: bool = False


class _Context(Struct, frozen=True):
    regex: str
    op: str
    within: int
    after: int = 0  # the context line may instead follow the event by this many lines (a JVM stack frame)


class Forms(Struct, frozen=True):
    forms: tuple[_Form, ...]
    contexts: tuple[_Context, ...]


class _FormSpec(Struct, frozen=True):
    speaker: str
    pattern: str
    op: str | None
    errno: str | None
    needs_errno: bool


class _Specs(Struct, frozen=True):
    forms: tuple[_FormSpec, ...]
    contexts: tuple[_Context, ...]


def _read_specs(files) -> _Specs:
    import yaml  # here: a run served from the cache folder never parses YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found, contexts = [], []
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
        for spec in data.get("forms") or ():
            found.append(_FormSpec(data["speaker"], "(?i)" + spec["pattern"], spec.get("op"), spec.get("errno"),
                                   bool(spec.get("needs_errno"))))
        for spec in data.get("context") or ():
            contexts.append(_Context("(?i)" + spec["pattern"], spec["op"], int(spec.get("within", 30)),
                                     int(spec.get("after", 0))))
    return _Specs(tuple(found), tuple(contexts))


@cache
def forms() -> Forms:
    """Every family's forms, compiled once per process (their YAML read once per change, through
    the cache folder)."""
    folder = package_dir() / "events" / "forms"
    files = [folder / f"{family}.yaml" for family in ORDER]
    specs = memo("events", files, lambda: _read_specs(files), (_Specs,))
    return Forms(tuple(_Form(f.speaker, re2.compile(f.pattern), f.op, f.errno, f.needs_errno) for f in specs.forms),
                 specs.contexts)


@cache
def _finder():
    """(an RE2 set of the forms: which of them a line holds, in one pass; the forms as one pattern:
    whether a line holds any, since the set says "none" on error too). Built when a run first has
    a line to read, not at every start."""
    patterns = [f.regex.pattern for f in forms().forms]
    which = re2.Set.SearchSet()
    for pattern in patterns:
        which.Add(pattern)
    which.Compile()
    return which, re2.compile("|".join(f"(?:{p})" for p in patterns))


def patterns() -> list[tuple[str, str]]:
    """(key, regex) of the lines the matcher must find for the events stage."""
    return [(ERRNO_KEY, ERRNO_LINE)] + [(f"{CONTEXT_KEY}{i}", c.regex) for i, c in enumerate(forms().contexts)]


def op_of(words: str | None) -> str | None:
    """The canonical operation a message's verb names."""
    if not words:
        return None
    low = words.strip().lower()
    if low in _KEEP_OPS:
        return low
    for keys, op in _OPS:
        if any(k in low for k in keys):
            return op
    return None


def _errno(token: str | None) -> str | None:
    if not token:
        return None
    low = token.strip().lower()
    return _EXCEPTIONS.get(low) or name_of(token)


def read_line(text: str, depth: int = 0) -> tuple[str | None, str | None, str | None, str | None] | None:
    """(op, errno, object, speaker) of a line, or None if it says nothing about a failed operation
    (depth: 1 when reading a message a JSON string carries)."""
    known, (which, anything) = forms(), _finder()
    held = which.Match(text)
    if held is None and anything.search(text) is not None:  # the set failed on this line: ask each form
        held = range(len(known.forms))
    for index in sorted(held or ()):
        form = known.forms[index]
        m = form.regex.search(text)
        if m is None:
            continue
        groups = {k: v for k, v in m.groupdict().items() if v}
        if form.errno == "none":
            errno = None
        else:
            errno = form.errno or _errno(groups.get("errno")) or (name_of(groups["num"]) if "num" in groups else None) \
                or name_of(text)
        if form.needs_errno and (form.errno or _errno(groups.get("errno"))) is None:
            continue
        op = form.op or op_of(groups.get("op"))
        obj = groups.get("object") or groups.get("path")
        return op, errno, obj.strip() if obj else None, form.speaker
    if depth == 0:
        for piece in _embedded(text):
            read = read_line(piece, 1)
            if read is not None and read[0] is not None:
                return read
    errno = name_of(text)
    if errno is None:
        return None
    paths = _PATH_THEN_ERROR.findall(text)  # "Cannot save state to /var/lib/x/state: Read-only file system"
    return None, errno, paths[-1] if paths else None, None


_PATH_THEN_ERROR = re2.compile(r"""(?:^|[\s'"‘(=])(/[^\s'"’:,]+)['"’]?: """)  # an absolute path, then ": " and what went wrong
_QUOTED = re2.compile(r'"((?:[^"\\\n]|\\.){8,})"')
_ESCAPED_BREAK = re2.compile(r'\\r\\n|\\n|\\r')


def _embedded(text: str):
    """The lines a JSON string on this line carries (Ansible's "module_stdout", "stderr", "msg";
    any tool that prints its result as JSON): a program's own message, with its line breaks
    escaped, is read as the line it was."""
    if '"' not in text:
        return
    for m in _QUOTED.finditer(text):
        for piece in _ESCAPED_BREAK.split(m[1]):
            piece = piece.replace('\\"', '"').replace("\\t", " ").strip()
            if piece:
                yield piece


def extract(hits) -> list[Event]:
    """The failure events on the lines the matcher found, in file order, one per line."""
    contexts = [(int(k[len(CONTEXT_KEY):]), h) for k, kept in hits.by_key.items() if k.startswith(CONTEXT_KEY) for h in kept]
    lines: dict[tuple[str, int], object] = {}
    for key, kept in hits.by_key.items():
        if key.startswith(CONTEXT_KEY):
            continue
        for h in kept:
            lines.setdefault((h.source, h.line), h)
    out: list[Event] = []
    for (source, line), hit in sorted(lines.items()):
        read = read_line(hit.text)
        if read is None:
            continue
        op, errno, obj, speaker = read
        if op in (None, "open", "write"):
            op = _context_op(contexts, source, line) or op
        out.append(Event(op, errno, obj, speaker, source, line, hit.text))
        if len(out) >= MAX_EVENTS:
            break
    return out


def _context_op(contexts, source: str, line: int) -> str | None:
    """The op of the nearest context line before the event (within its reach), else of the
    nearest one after it that reaches back (`after`: a stack frame under the exception)."""
    ctx = forms().contexts
    best = None
    later = None
    for index, hit in contexts:
        if hit.source != source:
            continue
        if 0 <= line - hit.line <= ctx[index].within and (best is None or hit.line > best[0]):
            best = (hit.line, ctx[index].op)
        elif 0 < hit.line - line <= ctx[index].after and (later is None or hit.line < later[0]):
            later = (hit.line, ctx[index].op)
    if best:
        return best[1]
    return later[1] if later else None
