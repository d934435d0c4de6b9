"""The user's cache folder: compiled grammars, pattern databases, the loaded knowledge base.

Keyed by a digest of what they were built from; written to a temporary name and renamed into
place, so a crash or a parallel run never leaves a half-written file. Where no cache folder is
usable, callers simply build each time.

A cache holds data only (msgspec MessagePack, a Hyperscan database, a grammar's tables), never
pickles or anything else that can run code when read. What someone else could have written is
never read: a cache folder (`faultlens/` and `faultlens/<kind>/` below $XDG_CACHE_HOME or
~/.cache) is used only if it is a real folder, not a symlink, owned by the current user and not
writable by group or others; a cache file only if it is a regular file with the same owner and
modes. Files are opened without following symlinks and without blocking (a FIFO put there does
not hang a run), and pruning unlinks only regular files inside the checked folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

try:  # what hashlib.blake2b is, without hashlib loading OpenSSL first (5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

T = TypeVar("T")

MAX_ENTRY_BYTES = 256 << 20  # a cache file larger than this is not ours (nothing we write comes close)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def digest():
    """A fresh hash for cache keys and knowledge-base versions."""
    return blake2b(digest_size=16)


def _trusted(st: os.stat_result) -> bool:
    """Owned by whoever runs faultlens and writable by nobody else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _open_folder(kind: str) -> tuple[int, Path] | None:
    """An open descriptor of the checked folder faultlens/<kind> and its path, or None. Each level
    below the base is created private if missing, opened without following a symlink and checked
    on the descriptor (what was checked is what is used)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"))
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(base, os.O_RDONLY | _DIRECTORY | _CLOEXEC)  # the base itself may be a symlink (~/.cache)
    except OSError:
        return None
    path = base
    for name in ("faultlens", kind):
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
        except OSError:  # a symlink (ELOOP), a file, no permission
            os.close(fd)
            return None
        os.close(fd)
        fd, path = inner, path / name
        try:
            st = os.fstat(fd)
            ok = stat.S_ISDIR(st.st_mode) and _trusted(st) and bool(st.st_mode & stat.S_IWUSR)
        except OSError:
            ok = False
        if not ok:
            os.close(fd)
            return None
    return fd, path


def cache_file(kind: str, name: str, parts: Iterable[bytes], suffix: str) -> Path | None:
    """Where the entry for these parts lives, or None where no trustworthy cache folder is."""
    key = digest()
    for part in parts:  # each part digested on its own: no two lists of parts run together alike
        key.update(blake2b(part, digest_size=16).digest())
    opened = _open_folder(kind)
    if opened is None:
        return None
    fd, folder = opened
    os.close(fd)
    return folder / f"{name}-{key.hexdigest()[:16]}{suffix}"


def load(path: Path | None) -> bytes | None:
    """The bytes of a cache entry, or None if it is missing or not to be trusted: not a regular
    file (a FIFO, a device, a symlink: never followed, never blocked on), someone else's, writable
    by others, or implausibly big."""
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _trusted(st) or st.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
        return data if len(data) <= MAX_ENTRY_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def store(path: Path | None, write: Callable) -> None:
    """write(binary file) into path, atomically; a cache that cannot be written is skipped. The
    folder then keeps its KEEP newest files: each edit of a knowledge base or grammar is a new key,
    and nothing else would ever remove the old ones. Everything happens relative to the checked
    folder's descriptor: a folder swapped for a symlink meanwhile is neither written nor pruned."""
    if path is None:
        return
    opened = _open_folder(path.parent.name)
    if opened is None or opened[1] != path.parent:
        if opened is not None:
            os.close(opened[0])
        return
    dfd = opened[0]
    try:
        tmp = f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=dfd)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, path.name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except Exception:  # noqa: BLE001 - an entry that cannot be written is only a slower next run
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            return
        _prune(dfd)
    finally:
        os.close(dfd)


KEEP = 32  # files per cache folder


def _prune(dfd: int) -> None:
    """Remove all but the KEEP newest finished files of the open folder (a reader that loses one
    rebuilds it). Only regular files (lstat) are counted or removed; a symlink is left alone."""
    with contextlib.suppress(OSError):
        files = []
        with os.scandir(dfd) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue
                st = e.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    files.append((st.st_mtime_ns, e.name))
        if len(files) <= KEEP:
            return
        files.sort(reverse=True)
        for _, name in files[KEEP:]:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=dfd)


def memo(kind: str, sources: list[Path], build: Callable[[], T], classes: tuple[type, ...],
         decode_as: Any = None, extra: Iterable[bytes] = ()) -> T:
    """build(), or what it returned last time for the same source files (paths and bytes) and
    `extra` key parts, for this faultlens and this Python, and the same code of the modules that
    define `classes` (a changed record class is a new key). Kept as msgspec MessagePack and read
    back as `decode_as` (default: classes[0]): data only, typed and checked on the way in."""
    import msgspec

    from faultlens import __version__

    code = sorted({Path(f) for c in classes if (f := getattr(sys.modules[c.__module__], "__file__", None))})
    try:
        parts = [__version__.encode(), sys.version.encode(), *extra] + [
            b for p in code + sources for b in (str(p).encode(), p.read_bytes())]
    except OSError:
        return build()  # unreadable: build() says which file and why
    path = cache_file(kind, kind, parts, ".msgpack")
    data = load(path)
    target = decode_as if decode_as is not None else classes[0]
    if data is not None:
        try:
            return msgspec.msgpack.decode(data, type=target)
        except (msgspec.DecodeError, ValueError, TypeError):  # a stale or damaged entry is rebuilt
            pass
    value = build()
    try:
        blob = msgspec.msgpack.encode(value)
    except (TypeError, OverflowError):  # not plain data: never cached
        return value
    store(path, lambda fh: fh.write(blob))
    return value
