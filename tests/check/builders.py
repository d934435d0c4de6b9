"""Small real packages built in Python for the tests: ELF headers, ar archives, .deb, .rpm, wheels,
zips and tars. Each writes the same bytes the real tools would put where check looks."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
from pathlib import Path

from msgspec import Struct

ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
PT_LOAD, PT_INTERP = 1, 3


def elf(e_type: int, program_headers: tuple[int, ...] = (), phoff: int = 64, bits: int = 64, big_endian: bool = False) -> bytes:
    """An ELF header (and program headers at PHOFF) as a compiler writes them; no sections needed."""
    order = ">" if big_endian else "<"
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 2 if big_endian else 1, 1, 0]) + bytes(8)
    if bits == 64:
        header = ident + struct.pack(order + "HHIQQQIHHHHHH", e_type, 62, 1, 0x1000, phoff if program_headers else 0, 0, 0,
                                     64, 56, len(program_headers), 64, 0, 0)
        phdrs = b"".join(struct.pack(order + "IIQQQQQQ", p, 5, 0, 0, 0, 0, 0, 8) for p in program_headers)
    else:
        header = ident + struct.pack(order + "HHIIIIIHHHHHH", e_type, 3, 1, 0x1000, phoff if program_headers else 0, 0, 0,
                                     52, 32, len(program_headers), 40, 0, 0)
        phdrs = b"".join(struct.pack(order + "IIIIIIII", p, 0, 0, 0, 0, 0, 5, 4) for p in program_headers)
    if not program_headers:
        return header + bytes(64)
    return header + bytes(max(0, phoff - len(header))) + phdrs + bytes(64)


PROGRAM = elf(ET_EXEC, (PT_LOAD,))
PIE = elf(ET_DYN, (PT_LOAD, PT_INTERP, PT_LOAD))
LIBRARY = elf(ET_DYN, (PT_LOAD, PT_LOAD))
OBJECT = elf(ET_REL)
STATIC = b"!<arch>\n" + b"crt1.o/         0           0     0     644     " + b"%-10d`\n" % len(OBJECT) + OBJECT
SCRIPT = b"#!/bin/sh\necho ok\n"


class Member(Struct, frozen=True):
    """One file in a package: path (no leading /), kind, mode, owner, group, body or link target."""
    path: str
    kind: str = "file"  # file | dir | symlink
    mode: int = 0o644
    body: bytes = b""
    link: str = ""
    owner: str = "root"
    group: str = "root"


def tar_bytes(members: list[Member], prefix: str = "./", compress: str = "") -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(prefix + m.path if m.path != "." else prefix)
            info.mode, info.uname, info.gname, info.mtime = m.mode, m.owner, m.group, 1_700_000_000
            info.uid = info.gid = 0 if m.owner == "root" else 1000
            info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE}[m.kind]
            info.linkname, info.size = m.link, len(m.body) if m.kind == "file" else 0
            tar.addfile(info, io.BytesIO(m.body) if m.kind == "file" else None)
    return compressed(raw.getvalue(), compress)


def compressed(data: bytes, how: str) -> bytes:
    if how == "gz":
        return gzip.compress(data, mtime=0)
    if how == "xz":
        return lzma.compress(data)
    if how == "bz2":
        return bz2.compress(data)
    if how == "zst":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


def ar(members: list[tuple[str, bytes]]) -> bytes:
    out = [b"!<arch>\n"]
    for name, body in members:
        out.append(f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(body):<10}`\n".encode() + body + (b"\n" if len(body) % 2 else b""))
    return b"".join(out)


def deb(path: Path, members: list[Member], scripts: dict[str, tuple[int, bytes]] | None = None, compress: str = "xz") -> Path:
    """A .deb as dpkg-deb builds it: debian-binary, control.tar.gz (control + maintainer scripts), data.tar.*"""
    control = [Member("control", body=b"Package: demo\nVersion: 1.0\nArchitecture: amd64\n")]
    control += [Member(name, mode=mode, body=body) for name, (mode, body) in (scripts or {}).items()]
    data_name = "data.tar" + (f".{compress}" if compress else "")
    path.write_bytes(ar([("debian-binary", b"2.0\n"), ("control.tar.gz", tar_bytes(control, compress="gz")),
                         (data_name, tar_bytes(members, compress=compress))]))
    return path


# -- rpm ----------------------------------------------------------------------------------------

INT16, INT32, STRING, STRING_ARRAY = 3, 4, 6, 8


def _rpm_header(tags: list[tuple[int, int, object]]) -> bytes:
    index, store = [], bytearray()
    for tag, kind, value in sorted(tags):
        align = {INT16: 2, INT32: 4}.get(kind, 1)
        store += bytes((-len(store)) % align)
        offset = len(store)
        if kind == INT16:
            store += struct.pack(f">{len(value)}H", *value)
            count = len(value)
        elif kind == INT32:
            store += struct.pack(f">{len(value)}I", *value)
            count = len(value)
        elif kind == STRING:
            store += value.encode() + b"\0"
            count = 1
        else:
            store += b"".join(v.encode() + b"\0" for v in value)
            count = len(value)
        index.append(struct.pack(">iiii", tag, kind, offset, count))
    return b"\x8e\xad\xe8\x01\0\0\0\0" + struct.pack(">II", len(index), len(store)) + b"".join(index) + bytes(store)


def _cpio(members: list[Member], modes_in_cpio: int | None) -> bytes:
    out = bytearray()
    for ino, m in enumerate(members + [Member("TRAILER!!!")], start=1):
        name = ("./" + m.path if m.path != "TRAILER!!!" else m.path).encode() + b"\0"
        body = m.body if m.kind == "file" else m.link.encode() if m.kind == "symlink" else b""
        kind_bits = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000}[m.kind]
        mode = 0 if m.path == "TRAILER!!!" else kind_bits | (modes_in_cpio if modes_in_cpio is not None else m.mode)
        fields = [ino, mode, 0, 0, 1, 1_700_000_000, len(body), 0, 0, 0, 0, len(name), 0]
        out += b"070701" + b"".join(b"%08X" % f for f in fields) + name
        out += bytes((-len(out)) % 4)
        out += body + bytes((-len(body)) % 4)
    return bytes(out)


def rpm(path: Path, members: list[Member], compress: str = "gz", ghosts: tuple[str, ...] = (),
        modes_in_cpio: int | None = 0o600) -> Path:
    """An rpm (v3 lead, signature header, header, cpio payload) as rpmbuild lays it out. The cpio
    modes are MODES_IN_CPIO on purpose: rpm takes modes from the header, and so must check."""
    files = members + [Member(g, mode=0o644) for g in ghosts]
    dirs: list[str] = []
    dirindexes, basenames = [], []
    for m in files:
        folder, _, base = ("/" + m.path).rpartition("/")
        folder += "/"
        if folder not in dirs:
            dirs.append(folder)
        dirindexes.append(dirs.index(folder))
        basenames.append(base)
    kind_bits = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000}
    tags = [(1000, STRING, "demo"), (1001, STRING, "1.0"), (1002, STRING, "1"),
            (1028, INT32, [len(m.body) for m in files]), (1030, INT16, [kind_bits[m.kind] | m.mode for m in files]),
            (1036, STRING_ARRAY, [m.link for m in files]), (1037, INT32, [64 if m.path in ghosts else 0 for m in files]),
            (1039, STRING_ARRAY, [m.owner for m in files]), (1040, STRING_ARRAY, [m.group for m in files]),
            (1116, INT32, dirindexes), (1117, STRING_ARRAY, basenames), (1118, STRING_ARRAY, dirs),
            (1124, STRING, "cpio"), (1125, STRING, {"gz": "gzip", "xz": "xz", "zst": "zstd"}[compress])]
    lead = b"\xed\xab\xee\xdb\x03\x00\x00\x00\x00\x01" + b"demo-1.0-1".ljust(66, b"\0") + b"\x00\x01\x00\x05" + bytes(16)
    signature = _rpm_header([(1000, INT32, [0])])
    signature += bytes((-len(signature)) % 8)
    payload = compressed(_cpio(members, modes_in_cpio), compress)
    path.write_bytes(lead + signature + _rpm_header(tags) + payload)
    return path


# -- zip and wheel ------------------------------------------------------------------------------

def zip_file(path: Path, members: list[Member], unix: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for m in members:
            info = zipfile.ZipInfo(m.path + ("/" if m.kind == "dir" else ""), (2024, 1, 1, 0, 0, 0))
            info.create_system = 3 if unix else 0
            kind_bits = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000}[m.kind]
            info.external_attr = ((kind_bits | m.mode) << 16) if unix else (0x10 if m.kind == "dir" else 0)
            zf.writestr(info, m.link.encode() if m.kind == "symlink" else m.body)
    return path


def wheel(path: Path, dist: str, members: list[Member]) -> Path:
    meta = [Member(f"{dist}.dist-info/METADATA", body=b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"),
            Member(f"{dist}.dist-info/WHEEL", body=b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n"),
            Member(f"{dist}.dist-info/RECORD")]
    return zip_file(path, members + meta)


def apk(path: Path, members: list[Member], scripts: dict[str, bytes] | None = None) -> Path:
    """An Alpine .apk as abuild writes it: gzip streams end to end (signature, control with
    .PKGINFO and install scripts, data), each tar without its end-of-archive blocks."""
    def segment(items: list[Member]) -> bytes:
        data = tar_bytes(items, prefix="")
        end = len(data)
        while end >= 512 and data[end - 512:end] == bytes(512):
            end -= 512
        return gzip.compress(data[:end], mtime=0)

    control = [Member(".PKGINFO", body=b"pkgname = demo\npkgver = 1.0-r0\n")]
    control += [Member(name, mode=0o755, body=body) for name, body in (scripts or {}).items()]
    path.write_bytes(segment([Member(".SIGN.RSA.demo.rsa.pub", body=b"sig")]) + segment(control) + segment(members))
    return path
