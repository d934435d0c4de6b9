"""A release as `check` sees it: every entry with its mode and owner as the service account will
find them on disk once its installer has laid it out, and a peek at the start of each file (ELF
type, static archive, shebang, CRLF).

Directories are read with lstat (symlinks never followed). Packages are read in one streaming
pass, bounded (check/archive.py), never extracted: .deb, .rpm, .whl, .zip, .apk and tar with
gzip, bzip2, xz or zstd. Listings go through the snapshot parsers (no content there, so content
checks are skipped and said to be).
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

from faultlens.check.archive import DEFAULT_LIMITS, Budget, Limits, compression, decompressed, printable, tar_members
from faultlens.check.content import PEEK, PLAIN, Peek, classify, needed
from faultlens.check.layout import Layout, LayoutError, layout_for
from faultlens.check.packages import is_deb, read_apk, read_deb
from faultlens.check.rpm import is_rpm, read_rpm
from faultlens.check.zips import is_zip, read_zip
from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import MAX_BLOB_BYTES, InputError
from faultlens.model import FileEntry, Location
from faultlens.parse import snapshot_parser

PACKAGE_KINDS = ("deb", "rpm", "apk")  # installed into /: what they link to, other packages ship


class Release(Struct):
    label: str  # as given on the command line
    kind: str  # directory | listing | tarball | deb | rpm | wheel | zip | apk
    entries: list[FileEntry] = field(default_factory=list)
    peeks: dict[str, Peek] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    hooks: list[FileEntry] = field(default_factory=list)  # maintainer scripts the installer runs (as root)
    entrypoints: set[str] = field(default_factory=set)  # files the package's metadata says are run
    skipped: dict[str, str] = field(default_factory=dict)  # check -> why it could not run here

    rooted: bool = False  # a tarball of a tree laid out from / (./usr, ./etc ...): a package's files

    @property
    def system(self) -> bool:
        """Installed into /, beside other packages (whose files its symlinks may point at)."""
        return self.kind in PACKAGE_KINDS or self.rooted


def load_release(path: str, installer: str = "auto", extract_as: str = "root", user: str = "", umask: int = 0o022,
                 limits: Limits = DEFAULT_LIMITS) -> Release:
    """Read PATH as its installer lays it out (installer 'auto': the usual one for the format;
    extract_as 'root' or 'user': who runs it; umask: the umask it runs under)."""
    p = Path(path)
    if p.is_dir():
        if installer != "auto":
            raise LayoutError(f"--installer {installer}: {path} is a folder, laid out already")
        return _from_directory(p, path)
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            head = fh.read(512)
            fh.seek(0)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        kind = _package_kind(head, path, fh)
        if kind is None:
            if installer != "auto":
                raise LayoutError(f"--installer {installer}: {path} is not a package")
            return _from_listing(fh, path)
        budget = Budget(path, limits)
        layout = layout_for(kind, installer, extract_as == "root", user, umask, path)
        release = Release(path, kind)
        try:
            _read_package(release, fh, path, budget, layout)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    release.rooted = kind == "tarball" and _laid_out_from_root(release.entries)
    release.entries = [layout.apply(e) for e in release.entries]
    release.notes.append(layout.describe())
    return release


ROOT_FOLDERS = frozenset({".", "usr", "etc", "lib", "lib32", "lib64", "bin", "sbin", "var", "opt", "srv", "boot"})


def _laid_out_from_root(entries: list[FileEntry]) -> bool:
    """Every entry under the folders of / (a data.tar, a root filesystem image), none elsewhere."""
    tops = {e.path.split("/", 1)[0] for e in entries}
    return bool(tops) and tops <= ROOT_FOLDERS and tops != {"."} and bool(tops & {"usr", "etc"})


def _package_kind(head: bytes, path: str, fh) -> str | None:
    if is_deb(head):
        return "deb"
    if is_rpm(head):
        return "rpm"
    if is_zip(head):
        return "wheel" if path.endswith(".whl") else "zip"
    if _is_tar_header(head):
        return "apk" if path.endswith(".apk") else "tarball"
    if compression(head) != "none":
        inner = decompressed(fh, Budget(path, Limits(max_bytes=1 << 20)), path)
        try:
            first = inner.read(512)
        except (OSError, EOFError, ValueError, InputError):
            first = b""
        except Exception:  # zstandard's own error type
            first = b""
        fh.seek(0)
        if _is_tar_header(first):
            return "apk" if path.endswith(".apk") else "tarball"
    return None


def _is_tar_header(block: bytes) -> bool:
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar" or block == bytes(512):  # a tar header, or an empty tar's end blocks
        return True
    try:
        return int(block[148:156].split(b"\0", 1)[0].strip() or b"-1", 8) in tarfile.calc_chksums(block)
    except ValueError:
        return False


def _read_package(release: Release, fh, label: str, budget: Budget, layout: Layout) -> None:
    kind = release.kind
    hooks: list = []
    if kind == "deb":
        members, hooks = read_deb(io.BufferedReader(fh, 1 << 16), label, budget)
    elif kind == "rpm":
        members = read_rpm(io.BufferedReader(fh, 1 << 16), label, budget)
    elif kind in ("wheel", "zip"):
        members, release.entrypoints = read_zip(label, label, budget, layout.installer == "pip")
    elif kind == "apk":
        members, scripts = read_apk(fh, label, budget)
        if scripts:
            release.notes.append(f"install scripts run by apk: {', '.join(scripts)}")
    else:
        members = list(tar_members(decompressed(fh, budget, label), label, budget))
    for e, head in members:
        release.entries.append(e)
        if head is not None:
            release.peeks[e.path] = classify(head)
    for e, head in hooks:
        release.hooks.append(e)
        release.peeks[e.path] = classify(head or b"")


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
        path = posixpath.normpath(printable(rel))
        shown = printable(full)
        release.entries.append(FileEntry(path, kind, stat.S_IMODE(st.st_mode), _name(names, "u", st.st_uid),
                                         _name(names, "g", st.st_gid), st.st_size, target and printable(target), None,
                                         Location(shown), shown))
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
        return PLAIN
    try:
        head = os.read(fd, PEEK)
        want = needed(head)
        if want > len(head) == PEEK:
            head += os.read(fd, want - len(head))
        return classify(head)
    except OSError:
        return PLAIN
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


def _from_listing(fh, label: str) -> Release:
    """A listing (ls -lR, find -printf, tar -tvf ...), plain or compressed, up to MAX_BLOB_BYTES."""
    try:
        stream = decompressed(fh, Budget(label, Limits(max_bytes=MAX_BLOB_BYTES + 1)), label)
        data = stream.read(MAX_BLOB_BYTES + 1)
    except InputError:
        raise InputError(f"{label}: a listing larger than {MAX_BLOB_BYTES >> 20} MiB") from None
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"{label}: cannot read: {exc}") from None
    text = to_text(data)
    kind = sniff(label, data, text[:1 << 16])
    if kind.kind != "snapshot" or kind.format in ("id", "umask", "df"):
        raise InputError(f"{label}: not a directory, a package ({KNOWN_FORMATS}) or a file listing faultlens can read")
    records = snapshot_parser(kind.format)(text, label)
    release = Release(label, "listing", records.entries)
    release.notes += [f"line {p.line}: {p.reason}" for p in records.problems[:5]]
    release.skipped.update(CONTENT_CHECKS)
    release.notes.append("from a listing: programs are told by their names (bin/, sbin/, libexec/, .sh), not their contents")
    return release


KNOWN_FORMATS = ".deb .rpm .whl .zip .apk .tar .tar.gz .tar.bz2 .tar.xz .tar.zst"
CONTENT_CHECKS = {"crlf": "a listing holds no file contents (no shebang line to look at)",
                  "script-not-executable": "a listing holds no file contents (no shebang to tell a script)"}
