"""What a file's first bytes say it is, as far as its execute bit goes.

    7f 45 4c 46 02 01 01 ..  e_type=2 (ET_EXEC)             -> "elf-exec"    runs: needs x
    7f 45 4c 46 .. e_type=3, a PT_INTERP program header       -> "elf-pie"     runs: needs x
    7f 45 4c 46 .. e_type=3, no PT_INTERP                     -> "elf-shared"  loaded by ld.so: 0644 is policy
    7f 45 4c 46 .. e_type=1 (ET_REL)                          -> "elf-object"  linked, never run
    !<arch>\\n                                                  -> "ar"          a static library
    #!/bin/sh                                                  -> "script"      needs x where it is meant to run

A shared library that is also a program (libc.so.6, ld.so) carries PT_INTERP or is shipped 0755
anyway; lintian's `shared-library-is-executable` and Debian policy 10.9 say the same split.
"""

from __future__ import annotations

import struct

from msgspec import Struct

PEEK = 4096  # bytes of each file looked at, more only for an ELF whose program headers lie further
MAX_PEEK = 1 << 16
ET_REL, ET_EXEC, ET_DYN, ET_CORE = 1, 2, 3, 4
PT_INTERP = 3
RUNNABLE = frozenset({"elf-exec", "elf-pie"})


class Peek(Struct, frozen=True):
    kind: str = "plain"  # plain | script | elf-exec | elf-pie | elf-shared | elf-object | elf-other | ar
    crlf: bool = False

    @property
    def elf(self) -> bool:
        return self.kind.startswith("elf-")

    @property
    def shebang(self) -> bool:
        return self.kind == "script"

    @property
    def runs(self) -> bool:
        """A program the kernel executes: without an execute bit it cannot start."""
        return self.kind in RUNNABLE


PLAIN = Peek()


def needed(head: bytes) -> int:
    """How many leading bytes classify() wants: PEEK, or up to the end of an ELF's program headers."""
    layout = _elf_layout(head)
    if layout is None:
        return PEEK
    _, phoff, phentsize, phnum, _ = layout
    return min(MAX_PEEK, max(PEEK, phoff + phentsize * phnum))


def classify(head: bytes) -> Peek:
    if head.startswith(b"\x7fELF"):
        return Peek(_elf_kind(head))
    if head.startswith(b"!<arch>\n"):
        return Peek("ar")
    if not head.startswith(b"#!"):
        return PLAIN  # most files: one shared answer
    first_line = head.split(b"\n", 1)[0]
    return Peek("script", first_line.endswith(b"\r") or b"\r\n" in head)


def _elf_layout(head: bytes):
    """(e_type, e_phoff, e_phentsize, e_phnum, byte order) of an ELF header, or None."""
    if len(head) < 52 or not head.startswith(b"\x7fELF") or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    order = "<" if head[5] == 1 else ">"
    if head[4] == 1:  # ELFCLASS32
        e_type, = struct.unpack_from(order + "H", head, 16)
        phoff, = struct.unpack_from(order + "I", head, 28)
        phentsize, phnum = struct.unpack_from(order + "HH", head, 42)
    else:
        if len(head) < 64:
            return None
        e_type, = struct.unpack_from(order + "H", head, 16)
        phoff, = struct.unpack_from(order + "Q", head, 32)
        phentsize, phnum = struct.unpack_from(order + "HH", head, 54)
    return e_type, phoff, phentsize, phnum, order


def _elf_kind(head: bytes) -> str:
    layout = _elf_layout(head)
    if layout is None:
        return "elf-other"
    e_type, phoff, phentsize, phnum, order = layout
    if e_type == ET_EXEC:
        return "elf-exec"
    if e_type == ET_REL:
        return "elf-object"
    if e_type != ET_DYN:
        return "elf-other"  # core dumps, processor-specific types: nothing to run
    if phentsize < 4:
        return "elf-shared"
    for i in range(phnum):
        at = phoff + i * phentsize
        if at + 4 > len(head):
            break  # headers beyond what was read (a truncated file): say library, never a false alarm
        if struct.unpack_from(order + "I", head, at)[0] == PT_INTERP:
            return "elf-pie"
    return "elf-shared"
