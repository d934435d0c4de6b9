"""A release as `check` sees it: every entry with its mode and owner as the service account will
find them on disk, and a peek at the start of each file (shebang, ELF, CRLF).

Directories are read with lstat (symlinks never followed); tarballs in memory, never extracted;
listings through the snapshot parsers (no content there, so content checks are skipped).
"""

from __future__ import annotations

import grp
import io
import os
import posixpath
import pwd
import stat
import tarfile
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import replace

from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import GZIP_MAGIC, MAX_BLOB_BYTES, InputError
from faultlens.model import FileEntry, Location
from faultlens.parse import snapshot_parser

PEEK = 4096  # bytes of each file looked at


class Peek(Struct, frozen=True):
    shebang: bool = False
    elf: bool = False
    crlf: bool = False


class Release(Struct):
    label: str  # as given on the command line
    kind: str  # directory | tarball | listing
    entries: list[FileEntry] = field(default_factory=list)
    peeks: dict[str, Peek] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_PLAIN = Peek()


def _peek(head: bytes) -> Peek:
    if head.startswith(b"\x7fELF"):
        return Peek(elf=True)
    if not head.startswith(b"#!"):
        return _PLAIN  # most files: one shared answer
    first_line = head.split(b"\n", 1)[0]
    return Peek(shebang=True, crlf=first_line.endswith(b"\r") or b"\r\n" in head)


def load_release(path: str, extract_as: str, user: str, umask: int) -> Release:
    """Read PATH; for a tarball, apply how it will be unpacked (extract_as 'root' keeps stored
    owners and modes; 'user' gives everything to the user and applies its umask)."""
    p = Path(path)
    if p.is_dir():
        return _from_directory(p, path)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_BLOB_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BLOB_BYTES:
        raise InputError(f"{path}: larger than {MAX_BLOB_BYTES >> 20} MiB")
    if data.startswith(GZIP_MAGIC) or (len(data) >= 512 and data[257:262] == b"ustar"):
        release = _from_tarball(data, path)
        if extract_as == "user":
            release.entries = [_as_user(e, user, umask) for e in release.entries]
            release.notes.append(f"as unpacked by {user} under umask {umask:03o} (owners become {user}, modes lose the umask bits)")
        else:
            release.notes.append("as unpacked by root, which keeps the stored owners and modes (tar's default as root)")
        return release
    return _from_listing(data, path)


def _as_user(entry: FileEntry, user: str, umask: int) -> FileEntry:
    if entry.type == "symlink":
        return replace(entry, owner=user, group=user)
    return replace(entry, owner=user, group=user, mode=entry.mode & ~umask & 0o7777)


def _from_directory(root: Path, label: str) -> Release:
    """Every entry below root in os.walk's order (a folder's entries sorted by name, then its
    subfolders in turn), with os.scandir and plain strings: 100,000 entries are a matter of
    syscalls, not of Path objects."""
    release = Release(label, "directory")
    names: dict[tuple[str, int], str] = {}
    base = root.name or str(root)

    def add(full: str, rel: str) -> str | None:
        try:
            st = os.lstat(full)
            kind = _kind(st.st_mode)
            target = os.readlink(full) if kind == "symlink" else None
        except OSError as exc:  # gone, or changed, since the folder was listed
            release.notes.append(f"cannot stat {full}: {exc.strerror}")
            return None
        path = posixpath.normpath(rel)
        release.entries.append(FileEntry(path, kind, stat.S_IMODE(st.st_mode), _name(names, "u", st.st_uid),
                                         _name(names, "g", st.st_gid), st.st_size, target, None, Location(full), full))
        if kind == "file":
            release.peeks[path] = _peek_file(full)
        return kind

    if add(str(root), base) != "dir":
        return release
    todo = [(str(root), base)]
    while todo:
        folder, rel = todo.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(e.name for e in listing)
        except OSError as exc:
            release.notes.append(f"cannot list {exc.filename or folder}: {exc.strerror}")
            continue
        below = []
        for name in children:
            full, path = os.path.join(folder, name), posixpath.join(rel, name)
            if add(full, path) == "dir":  # never a symlink: lstat
                below.append((full, path))
        todo += reversed(below)
    return release


def _peek_file(path: str) -> Peek:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a fifo swapped in never blocks
    except OSError:
        return Peek()
    try:
        return _peek(os.read(fd, PEEK))
    except OSError:
        return Peek()
    finally:
        os.close(fd)


def _name(cache: dict, what: str, number: int) -> str:
    key = (what, number)
    if key not in cache:
        try:
            cache[key] = pwd.getpwuid(number).pw_name if what == "u" else grp.getgrgid(number).gr_name
        except KeyError:
            cache[key] = str(number)
    return cache[key]


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "file"), (stat.S_ISLNK, "symlink"),
                       (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "other"


def _from_tarball(data: bytes, label: str) -> Release:
    release = Release(label, "tarball")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for number, member in enumerate(tar, start=1):
                name = posixpath.normpath(member.name.lstrip("/")) if member.name not in ("", ".", "./") else "."
                kind = ("dir" if member.isdir() else "symlink" if member.issym() else "hardlink" if member.islnk()
                        else "file" if member.isfile() else "char" if member.ischr() else "block" if member.isblk()
                        else "fifo" if member.isfifo() else "other")
                owner = member.uname or str(member.uid)
                group = member.gname or str(member.gid)
                raw = f"{stat.filemode(member.mode | _TYPE_BITS.get(kind, 0))} {owner}/{group} {member.size} {member.name}"
                release.entries.append(FileEntry(name, kind, member.mode & 0o7777, owner, group, member.size,
                                                 member.linkname or None, None, Location(f"{label}:{member.name}", None), raw))
                if kind == "file":
                    fh = tar.extractfile(member)
                    release.peeks[name] = _peek(fh.read(PEEK)) if fh else Peek()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"{label}: corrupt or truncated archive ({exc})") from None
    return release


_TYPE_BITS = {"dir": stat.S_IFDIR, "symlink": stat.S_IFLNK, "file": stat.S_IFREG}


def _from_listing(data: bytes, label: str) -> Release:
    text = to_text(data)
    kind = sniff(label, data, text[:1 << 16])
    if kind.kind != "snapshot" or kind.format in ("id", "umask", "df"):
        raise InputError(f"{label}: not a directory, a tarball or a file listing faultlens can read")
    records = snapshot_parser(kind.format)(text, label)
    release = Release(label, "listing", records.entries)
    release.notes += [f"line {p.line}: {p.reason}" for p in records.problems[:5]]
    release.notes.append("from a listing: file contents (shebangs, CRLF) cannot be checked")
    return release
