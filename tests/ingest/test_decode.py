"""Any encoding decodes; CRLF, lone CR and ANSI colour are handled; line numbers are kept."""

from __future__ import annotations

import codecs

from faultlens.ingest.decode import looks_binary, to_text


def test_invalid_utf8_is_replaced_not_fatal():
    assert to_text(b"ok \xff\xfe bad\nnext\n") == "ok \ufffd\ufffd bad\nnext\n"


def test_utf16_with_and_without_bom():
    text = "Permission denied\nline two\n"
    assert to_text(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert to_text(text.encode("utf-16-le")) == text
    assert to_text(text.encode("utf-16-be")) == text
    assert not looks_binary(text.encode("utf-16-le"))


def test_crlf_becomes_lf_and_a_lone_cr_stays_visible():
    assert to_text(b"a\r\nb\r\n") == "a\nb\n"
    assert to_text(b"/usr/bin/env: 'bash\r': No such file or directory\n") == \
        "/usr/bin/env: 'bash^M': No such file or directory\n"


def test_ansi_colour_codes_are_removed():
    assert to_text(b"\x1b[31mERROR\x1b[0m disk \x1b]0;title\x07full\n") == "ERROR disk full\n"


def test_line_count_is_kept():
    raw = b"one\r\ntwo\x1b[1m\rthree\nfour"
    assert to_text(raw).count("\n") == raw.count(b"\n")
