"""RPM packages: modes, owners and names from the header, contents from the cpio payload.

    lead       96 bytes: ed ab ee db, version, name ...
    signature  a header structure (8e ad e8 01, index count, store size, index, store), padded to 8
    header     the same structure: RPMTAG_BASENAMES/DIRNAMES/DIRINDEXES, FILEMODES, FILEUSERNAME,
               FILEGROUPNAME, FILESIZES, FILELINKTOS, FILEFLAGS (%ghost files are not shipped)
    payload    cpio "newc" (070701), compressed with gzip, xz, zstd or bzip2

rpm sets every file's mode and owner from the header, as root; the cpio modes are not used.
Scriptlets (%post ...) live in the header as text, not as files: there is no mode to check.
"""

from __future__ import annotations

import struct

from faultlens.check.archive import Budget, decompressed, entry, member_path, read_head
from faultlens.ingest.sources import InputError
from faultlens.model import FileEntry

LEAD_MAGIC = b"\xed\xab\xee\xdb"
HEADER_MAGIC = b"\x8e\xad\xe8\x01"
MAX_HEADER = 256 << 20  # an rpm header (file lists of a big package) is a few MB
TAGS = {"oldfilenames": 1027, "sizes": 1028, "modes": 1030, "links": 1036, "flags": 1037, "users": 1039,
        "groups": 1040, "dirindexes": 1116, "basenames": 1117, "dirnames": 1118, "longsizes": 5008}
GHOST = 1 << 6
MAX_NAME = 1 << 16  # PATH_MAX is 4096: a longer cpio name is corrupt or hostile
KIND_BY_FMT = {0o040000: "dir", 0o100000: "file", 0o120000: "symlink", 0o020000: "char", 0o060000: "block",
               0o010000: "fifo", 0o140000: "socket"}


def is_rpm(head: bytes) -> bool:
    return head.startswith(LEAD_MAGIC)


def read_rpm(fh, label: str, budget: Budget) -> list[tuple[FileEntry, bytes | None]]:
    lead = fh.read(96)
    if len(lead) < 96 or not lead.startswith(LEAD_MAGIC):
        raise InputError(f"{label}: not an RPM package (no lead)")
    _header(fh, label, budget, "signature", pad=True)
    tags = _header(fh, label, budget, "header", pad=False)
    files = _files(tags, label)
    heads = _payload(fh, label, budget, {e.path for e in files if e.type == "file"})
    return [(e, heads.get(e.path, b"") if e.type == "file" else None) for e in files]


def _header(fh, label: str, budget: Budget, what: str, pad: bool) -> dict[int, object]:
    intro = fh.read(16)
    if len(intro) < 16 or not intro.startswith(HEADER_MAGIC):
        raise InputError(f"{label}: corrupt RPM package (no {what} header)")
    count, size = struct.unpack(">II", intro[8:16])
    if count * 16 + size > MAX_HEADER:
        raise InputError(f"{label}: RPM {what} header larger than {MAX_HEADER >> 20} MiB")
    budget.spend(count * 16 + size)
    index, store = fh.read(count * 16), fh.read(size)
    if len(index) < count * 16 or len(store) < size:
        raise InputError(f"{label}: truncated RPM package (in the {what} header)")
    if pad and size % 8:
        fh.read(8 - size % 8)
    wanted = set(TAGS.values())
    tags: dict[int, object] = {}
    for i in range(count):
        tag, kind, offset, n = struct.unpack_from(">iiii", index, i * 16)
        if tag in wanted:
            tags[tag] = _value(store, kind, offset, n, label)
    return tags


def _value(store: bytes, kind: int, offset: int, n: int, label: str):
    if offset < 0 or offset > len(store) or n < 0:
        raise InputError(f"{label}: corrupt RPM header (a tag points outside it)")
    if kind in (3, 4, 5):  # INT16, INT32, INT64
        fmt = {3: "H", 4: "I", 5: "Q"}[kind]
        width = struct.calcsize(fmt)
        if offset + width * n > len(store):
            raise InputError(f"{label}: corrupt RPM header (a tag runs past its end)")
        return list(struct.unpack_from(f">{n}{fmt}", store, offset))
    if kind in (6, 8, 9):  # STRING, STRING_ARRAY, I18NSTRING
        out, at = [], offset
        for _ in range(n if kind != 6 else 1):
            end = store.find(b"\0", at)
            if end < 0:
                raise InputError(f"{label}: corrupt RPM header (an unterminated string)")
            out.append(store[at:end].decode("utf-8", "replace"))
            at = end + 1
        return out
    return None


def _files(tags: dict, label: str) -> list[FileEntry]:
    if TAGS["basenames"] in tags:
        dirs, names, index = tags.get(TAGS["dirnames"], []), tags[TAGS["basenames"]], tags.get(TAGS["dirindexes"], [])
        try:
            paths = [dirs[index[i]] + names[i] for i in range(len(names))]
        except IndexError:
            raise InputError(f"{label}: corrupt RPM header (file names and directories do not match)") from None
    else:
        paths = tags.get(TAGS["oldfilenames"], [])
    columns = {k: tags.get(TAGS[k]) or [] for k in ("modes", "users", "groups", "links", "flags")}
    sizes = tags.get(TAGS["longsizes"]) or tags.get(TAGS["sizes"]) or []
    if any(len(col) != len(paths) for col in (columns["modes"], columns["users"], columns["groups"])):
        raise InputError(f"{label}: corrupt RPM header (file modes or owners missing)")
    out = []
    for i, path in enumerate(paths):
        flags = columns["flags"][i] if i < len(columns["flags"]) else 0
        if flags & GHOST:
            continue  # %ghost: owned by the package, never shipped in it
        mode = columns["modes"][i]
        kind = KIND_BY_FMT.get(mode & 0o170000, "other")
        link = columns["links"][i] if kind == "symlink" and i < len(columns["links"]) else None
        out.append(entry(label, path, kind, mode, columns["users"][i], columns["groups"][i],
                         sizes[i] if i < len(sizes) else 0, link))
    return out


def _payload(fh, label: str, budget: Budget, wanted: set[str]) -> dict[str, bytes]:
    """The first bytes of each wanted file in the cpio payload."""
    stream = decompressed(fh, budget, label)
    heads: dict[str, bytes] = {}
    while True:
        header = stream.read(110)
        if not header:
            break
        if len(header) < 110 or header[:6] not in (b"070701", b"070702"):
            if header[:6] == b"07070X":
                raise InputError(f"{label}: RPM payload in the stripped cpio format (files over 4 GiB) is not read")
            raise InputError(f"{label}: corrupt RPM payload (not a cpio newc archive)")
        try:
            fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            raise InputError(f"{label}: corrupt RPM payload (bad cpio header)") from None
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        if not 1 < namesize <= MAX_NAME:
            raise InputError(f"{label}: corrupt RPM payload (a cpio name of {namesize} bytes)")
        name = stream.read(namesize)[:-1].decode("utf-8", "replace")
        stream.read((4 - (110 + namesize) % 4) % 4)
        if name == "TRAILER!!!":
            break
        budget.member()
        path = member_path(name)
        left = filesize
        if path in wanted and (mode & 0o170000) == 0o100000 and filesize:
            head = read_head(_Limited(stream, filesize))
            heads[path] = head
            left -= len(head)
        while left > 0:
            chunk = stream.read(min(left, 1 << 20))
            if not chunk:
                raise InputError(f"{label}: truncated RPM payload")
            left -= len(chunk)
        stream.read((4 - filesize % 4) % 4)
    return heads


class _Limited:
    def __init__(self, stream, size: int):
        self.stream, self.left = stream, size

    def read(self, n: int) -> bytes:
        data = self.stream.read(min(n, self.left))
        self.left -= len(data)
        return data
