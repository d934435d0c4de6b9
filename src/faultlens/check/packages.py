"""Debian and Alpine packages, read in one pass without extracting anything.

A .deb is an ar archive:

    !<arch>\\n
    debian-binary/  0  0  100644  4     2.0\\n
    control.tar.xz  0  0  100644  1204  (control, md5sums, and the maintainer scripts postinst...)
    data.tar.xz     0  0  100644  ...   (the files, with the modes and owners dpkg gives them)

An .apk (Alpine) is gzip streams laid end to end: a signature tar, a control tar (.PKGINFO,
.pre-install ...) and the data tar, without end-of-archive blocks between them.
"""

from __future__ import annotations

from msgspec.structs import replace

from faultlens.check.archive import Budget, Slice, decompressed, member_path, tar_members
from faultlens.ingest.sources import InputError
from faultlens.model import FileEntry

AR_MAGIC = b"!<arch>\n"
MAINTAINER_SCRIPTS = frozenset({"preinst", "postinst", "prerm", "postrm", "config"})


def is_deb(head: bytes) -> bool:
    return head.startswith(AR_MAGIC + b"debian-binary")


def read_deb(fh, label: str, budget: Budget) -> tuple[list[tuple[FileEntry, bytes | None]], list[tuple[FileEntry, bytes | None]]]:
    """(data members, maintainer scripts) of a .deb, each with its first bytes when it is a file."""
    if fh.read(len(AR_MAGIC)) != AR_MAGIC:
        raise InputError(f"{label}: not a Debian package (no ar header)")
    files: list = []
    hooks: list = []
    seen_data = False
    while True:
        header = fh.read(60)
        if not header:
            break
        if len(header) < 60 or header[58:60] != b"`\n":
            raise InputError(f"{label}: corrupt or truncated Debian package (bad ar member header)")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip() or "-1")
        except ValueError:
            size = -1
        if size < 0:
            raise InputError(f"{label}: corrupt Debian package (ar member {name!r} has no size)")
        budget.member()
        part = Slice(fh, size)
        if name.startswith("control.tar"):
            for e, head in tar_members(decompressed(part, budget, label), f"{label}:{name}", budget):
                if e.path in MAINTAINER_SCRIPTS and e.type == "file":
                    hooks.append((replace(e, path=f"DEBIAN/{e.path}"), head))
        elif name.startswith("data.tar"):
            files += tar_members(decompressed(part, budget, label), f"{label}:{name}", budget)
            seen_data = True
        part.skip()
        if part.left:
            raise InputError(f"{label}: truncated Debian package (ar member {name!r} ends early)")
        if size % 2:
            fh.read(1)
    if not seen_data:
        raise InputError(f"{label}: Debian package without a data.tar member")
    return files, hooks


APK_META = (".PKGINFO", ".SIGN.", ".pre-", ".post-", ".trigger", ".install")


def read_apk(fh, label: str, budget: Budget) -> tuple[list[tuple[FileEntry, bytes | None]], list[str]]:
    """(files, names of the install scripts) of an Alpine package."""
    files, scripts = [], []
    for e, head in tar_members(decompressed(fh, budget, label), label, budget, concatenated=True):
        top = member_path(e.path)
        if "/" not in top and top.startswith(APK_META):
            if top.startswith((".pre-", ".post-", ".trigger")):
                scripts.append(top)
            continue
        files.append((e, head))
    return files, scripts
