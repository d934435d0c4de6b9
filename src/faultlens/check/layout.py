"""How an installer lays a package out on disk: the modes and owners the service account meets.

    dpkg, rpm, apk  run as root and set each file's stored mode and owner (the umask plays no part)
    tar             as root keeps stored owners and modes; as a user gives everything to that user
                    and takes the umask's bits off
    pip             a wheel's files get the umask's modes (0644, or 0755 where the archive has an
                    execute bit: pip keeps only that bit), owned by whoever runs pip
    unzip           Info-ZIP restores the stored Unix modes (without setuid/setgid); entries
                    without them get the umask's; owned by whoever runs unzip
"""

from __future__ import annotations

from msgspec import Struct
from msgspec.structs import replace

from faultlens.ingest.sources import InputError
from faultlens.model import FileEntry

# the installers each package kind can be laid out by, the default first
INSTALLERS = {"deb": ("dpkg",), "rpm": ("rpm",), "apk": ("apk",), "wheel": ("pip", "unzip"), "zip": ("unzip",),
              "tarball": ("tar",)}
ALL_INSTALLERS = ("auto", "dpkg", "rpm", "apk", "pip", "unzip", "tar")
AS_ROOT_ONLY = ("dpkg", "rpm", "apk")


class LayoutError(InputError):
    """An installer that does not lay out this kind of package (a usage error)."""


class Layout(Struct, frozen=True):
    installer: str
    as_root: bool  # who runs the installer: root, or the service account itself
    user: str
    umask: int

    def apply(self, e: FileEntry) -> FileEntry:
        if self.installer in AS_ROOT_ONLY or (self.installer == "tar" and self.as_root):
            return e
        owner = "root" if self.as_root else self.user
        if e.type == "symlink":
            return replace(e, owner=owner, group=owner)
        if self.installer == "tar":
            return replace(e, owner=owner, group=owner, mode=e.mode & ~self.umask & 0o7777)
        if self.installer == "pip":
            base = 0o777 if e.type == "dir" else 0o666
            mode = base & ~self.umask
            if e.type == "file" and e.mode & 0o111:
                mode = (0o777 & ~self.umask) | 0o111
            return replace(e, owner=owner, group=owner, mode=mode)
        # unzip: the stored mode where the archive has one (mode 0 = none stored), setuid/setgid dropped
        stored = e.mode & 0o777
        mode = stored if stored else (0o777 if e.type == "dir" else 0o666) & ~self.umask
        return replace(e, owner=owner, group=owner, mode=mode)

    def describe(self) -> str:
        who = "root" if self.as_root else self.user
        return {
            "dpkg": "as dpkg installs it: stored modes and owners, as root",
            "rpm": "as rpm installs it: modes and owners from the package header, as root",
            "apk": "as apk installs it: stored modes and owners, as root",
            "tar": ("as unpacked by root, which keeps the stored owners and modes (tar's default as root)" if self.as_root else
                    f"as unpacked by {who} under umask {self.umask:03o} (owners become {who}, modes lose the umask bits)"),
            "pip": f"as pip installs it, run by {who} under umask {self.umask:03o} (modes from the umask; "
                   f"only the archive's execute bits are kept)",
            "unzip": f"as unzip extracts it, run by {who} (stored Unix modes kept, without setuid/setgid; "
                     f"umask {self.umask:03o} where none is stored)",
        }[self.installer]


def layout_for(kind: str, installer: str, as_root: bool, user: str, umask: int, label: str) -> Layout:
    """The installer for a package kind: the default one for 'auto', else the one asked for if it fits."""
    choices = INSTALLERS[kind]
    chosen = choices[0] if installer == "auto" else installer
    if chosen not in choices:
        raise LayoutError(f"--installer {installer} does not install a {kind} ({label}); "
                          f"it can be laid out by {', '.join(choices)}")
    if chosen in AS_ROOT_ONLY and not as_root:
        raise LayoutError(f"--extract-as user: {chosen} installs a {kind} as root ({label})")
    return Layout(chosen, as_root, user, umask)
