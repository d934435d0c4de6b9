"""What needs an execute bit, read from a file's first bytes: ELF type and program headers, ar, shebang."""

from __future__ import annotations

import io

import pytest

from builders import ET_DYN, ET_EXEC, LIBRARY, OBJECT, PIE, PROGRAM, PT_INTERP, PT_LOAD, SCRIPT, STATIC, elf
from faultlens.check.archive import read_head
from faultlens.check.content import PEEK, classify


@pytest.mark.parametrize("head, kind, runs", [
    (PROGRAM, "elf-exec", True),  # ET_EXEC
    (PIE, "elf-pie", True),  # ET_DYN with PT_INTERP: a PIE program
    (LIBRARY, "elf-shared", False),  # ET_DYN without PT_INTERP: a shared library
    (OBJECT, "elf-object", False),  # ET_REL: crt1.o
    (STATIC, "ar", False),  # !<arch>: libc.a
    (SCRIPT, "script", False),
    (b"plain text\n", "plain", False),
    (elf(ET_DYN, (PT_LOAD, PT_INTERP), bits=32, big_endian=True), "elf-pie", True),
    (elf(ET_EXEC, (PT_LOAD,), bits=32), "elf-exec", True),
    (elf(4), "elf-other", False),  # ET_CORE
    (b"\x7fELF\x09garbage", "elf-other", False),
])
def test_kind_from_the_first_bytes(head: bytes, kind: str, runs: bool):
    peek = classify(head)
    assert (peek.kind, peek.runs) == (kind, runs)


def test_crlf_shebang():
    assert classify(b"#!/bin/sh\r\necho dos\r\n").crlf
    assert not classify(SCRIPT).crlf


def test_program_headers_beyond_the_first_4096_bytes_are_read():
    far = elf(ET_DYN, (PT_LOAD, PT_INTERP), phoff=PEEK + 900)
    assert classify(far[:PEEK]).kind == "elf-shared"  # cut short: never a false alarm
    assert classify(read_head(io.BytesIO(far))).kind == "elf-pie"
