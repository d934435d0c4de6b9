"""Streams for reading packages: bounded, decompressed by their magic bytes, never extracted.

Every archive `check` reads goes through one Budget: the decompressed bytes and the members it
may read. Going over is an InputError that names the limit (exit 2), never a silent cut.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import stat
import tarfile

from msgspec import Struct

from faultlens.check.content import PEEK, needed
from faultlens.ingest.sources import InputError
from faultlens.model import FileEntry, Location

MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd", b"\x5d\x00\x00": "lzma"}


class Limits(Struct, frozen=True):
    max_bytes: int = 8 << 30  # decompressed bytes read from one package (a DVD image is less)
    max_members: int = 1_000_000


DEFAULT_LIMITS = Limits()


class LimitExceeded(InputError):
    pass


class Budget:
    """What one package may still cost: decompressed bytes and members."""

    def __init__(self, label: str, limits: Limits):
        self.label, self.limits = label, limits
        self.bytes = self.members = 0

    def spend(self, n: int) -> None:
        self.bytes += n
        if self.bytes > self.limits.max_bytes:
            raise LimitExceeded(f"{self.label}: more than {_size(self.limits.max_bytes)} once decompressed "
                                f"(check reads at most that much of one package)")

    def member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise LimitExceeded(f"{self.label}: more than {self.limits.max_members:,} members "
                                f"(check reads at most that many of one package)")


def _size(n: int) -> str:
    return f"{n >> 30} GiB" if n >= 1 << 30 else f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


class Metered(io.RawIOBase):
    """A read-only stream that charges every byte it hands out to the budget."""

    def __init__(self, inner, budget: Budget):
        self.inner, self.budget = inner, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.budget.spend(len(data))
        buffer[:len(data)] = data
        return len(data)


class Slice(io.RawIOBase):
    """The next SIZE bytes of a stream (an ar member, an rpm payload), read-only."""

    def __init__(self, inner, size: int):
        self.inner, self.left = inner, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        data = self.inner.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)

    def skip(self) -> None:
        while self.left > 0:
            data = self.inner.read(min(self.left, 1 << 20))
            if not data:
                break
            self.left -= len(data)


def compression(head: bytes) -> str:
    for magic, name in MAGIC.items():
        if head.startswith(magic):
            return name
    return "none"


def decompressed(raw, budget: Budget, label: str):
    """RAW (a binary stream) decompressed by its magic bytes, metered, buffered."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw, 1 << 16)
    kind = compression(buffered.peek(8)[:8])
    try:
        if kind == "gzip":
            inner = gzip.GzipFile(fileobj=buffered, mode="rb")
        elif kind == "bzip2":
            inner = bz2.BZ2File(buffered)
        elif kind in ("xz", "lzma"):
            inner = lzma.LZMAFile(buffered)
        elif kind == "zstd":
            import zstandard  # only for .tar.zst, .deb and .rpm payloads compressed with zstd

            inner = zstandard.ZstdDecompressor().stream_reader(buffered, read_across_frames=True)
        else:
            inner = buffered
    except (OSError, ValueError) as exc:
        raise InputError(f"{label}: corrupt {kind} stream ({exc})") from None
    return io.BufferedReader(Metered(inner, budget), 1 << 16)


def read_head(fh) -> bytes:
    """The first bytes of a member: PEEK, or more for an ELF's program headers."""
    head = fh.read(PEEK)
    want = needed(head)
    if want > len(head) == PEEK:
        head += fh.read(want - len(head))
    return head


KINDS = ((tarfile.DIRTYPE, "dir"), (tarfile.SYMTYPE, "symlink"), (tarfile.LNKTYPE, "hardlink"), (tarfile.CHRTYPE, "char"),
         (tarfile.BLKTYPE, "block"), (tarfile.FIFOTYPE, "fifo"))
TYPE_BITS = {"dir": stat.S_IFDIR, "symlink": stat.S_IFLNK, "file": stat.S_IFREG, "char": stat.S_IFCHR,
             "block": stat.S_IFBLK, "fifo": stat.S_IFIFO}


def member_path(name: str) -> str:
    """An archive member's name as a release path: no leading '/' or './'; the top is '.'."""
    stripped = name.lstrip("/")
    return posixpath.normpath(stripped) if stripped not in ("", ".", "./") else "."


def printable(name: str) -> str:
    """A name as text that can be written: bytes that are not UTF-8 (held as surrogates by os and
    tarfile) shown as \\xe9."""
    return name if name.isascii() else name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def entry(label: str, name: str, kind: str, mode: int, owner: str, group: str, size: int, link: str | None) -> FileEntry:
    name, link = printable(name), printable(link) if link else None
    raw = f"{stat.filemode((mode & 0o7777) | TYPE_BITS.get(kind, 0))} {owner}/{group} {size} {name}"
    return FileEntry(member_path(name), kind, mode & 0o7777, printable(owner), printable(group), size, link, None,
                     Location(f"{printable(label)}:{name}", None), raw)


def tar_members(stream, label: str, budget: Budget, concatenated: bool = False):
    """(FileEntry, head bytes or None) for each member of a tar stream, in order, one pass;
    CONCATENATED reads on past end-of-archive blocks (tars laid end to end, as in an .apk)."""
    try:
        with tarfile.open(fileobj=stream, mode="r|", ignore_zeros=concatenated) as tar:
            for member in tar:
                budget.member()
                kind = "file" if member.isreg() else next((k for t, k in KINDS if member.type == t), "other")
                item = entry(label, member.name, kind, member.mode, member.uname or str(member.uid),
                             member.gname or str(member.gid), member.size, member.linkname)
                head = None
                if kind == "file":
                    fh = tar.extractfile(member)
                    head = read_head(fh) if fh else b""
                yield item, head
    except LimitExceeded:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, lzma.LZMAError) as exc:
        raise InputError(f"{label}: corrupt or truncated archive ({exc})") from None
    except Exception as exc:  # zstandard.ZstdError and the like: still one line, never a traceback
        if type(exc).__module__.startswith("zstandard"):
            raise InputError(f"{label}: corrupt zstd stream ({exc})") from None
        raise
