"""Zip archives and wheels: names and stored Unix modes from the central directory, the first
bytes of each file (never more: a zip bomb costs what PEEK costs).

A wheel as pip installs it:

    numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so   -> site-packages/numpy/core/...
    awscli-1.46.3.data/scripts/aws                                  -> bin/aws (an entry point: needs x)
    pkg-1.0.data/purelib/pkg/__init__.py                             -> site-packages/pkg/__init__.py
    pkg-1.0.data/data/share/man/man1/pkg.1                           -> share/man/man1/pkg.1
    pkg-1.0.data/headers/pkg.h                                       -> include/pkg/pkg.h

Directories the archive does not list are made by the installer (with the umask's mode).
"""

from __future__ import annotations

import posixpath
import stat
import zipfile
import zlib

from faultlens.check.archive import Budget, entry, read_head
from faultlens.ingest.sources import InputError
from faultlens.model import FileEntry

SYMLINK_TARGET_MAX = 4096


def is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def read_zip(path: str, label: str, budget: Budget, as_wheel: bool) -> tuple[list[tuple[FileEntry, bytes | None]], set[str]]:
    """(members as laid out, paths of entry-point scripts); as_wheel maps names as pip does."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            out: list[tuple[FileEntry, bytes | None]] = []
            entrypoints: set[str] = set()
            dist = _dist_name(infos) if as_wheel else None
            for info in infos:
                budget.member()
                name, is_entrypoint = (_installed_name(info.filename, dist) if as_wheel else (info.filename, False))
                if name is None:
                    continue
                unix = info.external_attr >> 16 if info.create_system == 3 else 0
                kind = "dir" if info.is_dir() else "symlink" if stat.S_ISLNK(unix) else "file"
                link, head = None, None
                if kind == "symlink":
                    with archive.open(info) as fh:
                        link = fh.read(SYMLINK_TARGET_MAX).decode("utf-8", "replace")
                elif kind == "file":
                    with archive.open(info) as fh:
                        head = read_head(_Charged(fh, budget))
                e = entry(label, name.rstrip("/") or ".", kind, unix & 0o7777, "root", "root", info.file_size, link)
                out.append((e, head))
                if is_entrypoint:
                    entrypoints.add(e.path)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{label}: corrupt or unreadable zip archive ({exc})") from None
    return _with_parents(out, label, keep_top=as_wheel), entrypoints


class _Charged:
    def __init__(self, fh, budget: Budget):
        self.fh, self.budget = fh, budget

    def read(self, n: int) -> bytes:
        data = self.fh.read(n)
        self.budget.spend(len(data))
        return data


def _dist_name(infos: list[zipfile.ZipInfo]) -> str | None:
    for info in infos:
        top = info.filename.split("/", 1)[0]
        if top.endswith(".dist-info"):
            return top[: -len(".dist-info")]
    return None


def _installed_name(name: str, dist: str | None) -> tuple[str | None, bool]:
    """Where pip puts a wheel member (None: nothing on disk), and whether it is a script it runs."""
    top, _, rest = name.partition("/")
    if dist is None or top != f"{dist}.data":
        return f"site-packages/{name}", False
    scheme, _, rest = rest.partition("/")
    if not rest:
        return None, False
    if scheme == "scripts":
        return f"bin/{rest}", True
    if scheme in ("purelib", "platlib"):
        return f"site-packages/{rest}", False
    if scheme == "headers":
        return f"include/{dist.split('-', 1)[0]}/{rest}", False
    return rest, False  # data: relative to the prefix


def _with_parents(members: list[tuple[FileEntry, bytes | None]], label: str, keep_top: bool) -> list[tuple[FileEntry, bytes | None]]:
    """Add the directories the installer creates (not listed in the archive), stored mode 0:
    the installer's umask decides. With KEEP_TOP the top folders (site-packages, bin) exist already."""
    known = {e.path for e, _ in members}
    made: list[tuple[FileEntry, bytes | None]] = []
    for e, _ in members:
        parent = posixpath.dirname(e.path)
        while parent and parent not in known:
            known.add(parent)
            if keep_top and "/" not in parent:
                break
            made.append((entry(label, parent, "dir", 0, "root", "root", 0, None), None))
            parent = posixpath.dirname(parent)
    return sorted(made, key=lambda m: m[0].path) + members
