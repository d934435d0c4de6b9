"""Any encoding decodes; CRLF, lone CR and ANSI colour are handled; line numbers are kept."""

from __future__ import annotations

import codecs

import pytest

from faultlens.ingest import decode
from faultlens.ingest.decode import looks_binary, nul_count, to_text


def test_invalid_utf8_in_a_utf8_log_is_replaced_not_fatal():
    assert to_text(b"caf\xc3\xa9 ok \xff\xfe bad\nnext\n") == "café ok \ufffd\ufffd bad\nnext\n"


# Real text in the legacy single-byte encodings (not U+FFFD in evidence): Latin-1 has no
# characters at 0x80-0x9F, CP1252 puts quotes, dashes and the euro sign there.
@pytest.mark.parametrize("text, encoding", [
    ("2026-11-20 10:00:01 ERREUR: échec de l'écriture: périphérique plein, réessayez à 10h\n", "latin-1"),
    ("2026-11-20 10:00:01 FEHLER: Datei »Größe.cfg« konnte nicht geöffnet werden: Zugriff verweigert\n", "latin-1"),
    ("2026-11-20 10:00:01 ERROR: “deploy” failed – cost €12 … naïve retry\n", "cp1252"),
])
def test_legacy_single_byte_logs_are_decoded(text, encoding):
    assert to_text(text.encode(encoding)) == text


def test_a_utf8_log_starting_with_ff_fe_is_not_utf16():
    raw = b"\xff\xfe\xfa garbage \xc3\x28 \n" + "2026 ERROR No space left on device — é\n".encode()
    assert to_text(raw).endswith("2026 ERROR No space left on device — é\n")
    real = b"\xff\xfe" + "Read-only file system\nnext\n".encode("utf-16-le")
    assert to_text(real) == "Read-only file system\nnext\n"


def test_nul_runs_are_dropped_and_counted_not_binary():
    raw = b"\x00" * 1000 + b"start\nERROR disk full\n" + b"\x00" * 10 + b"after\n"
    assert not looks_binary(raw)
    assert to_text(raw) == "start\nERROR disk full\nafter\n" and nul_count(raw) == 1010
    assert looks_binary(b"\x7fELF\x02\x01\x01" + b"\x00" * 200 + b"No space left on device")
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100)
    assert nul_count("utf-16 text\n".encode("utf-16-le")) == 0


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


@pytest.mark.parametrize("odd", [b"", b"\r\n", b"\r", b"\x1b[31m", b"\x00\x00", "é".encode(), b"\xff"])
@pytest.mark.parametrize("where", [0, 700_000, -1])
def test_a_big_text_is_normalized_as_a_small_one_is(monkeypatch, odd, where):
    """From ONE_PASS_FROM bytes on, one Hyperscan pass decides whether there is anything to
    normalize: the answer is the one Python's checks give, wherever the odd byte is."""
    text = b"".join(b"line %d of a big log\n" % i for i in range(60_000))
    at = len(text) if where == -1 else where
    data = text[:at] + odd + text[at:]
    assert len(data) >= decode.ONE_PASS_FROM
    fast = decode.to_utf8(data)
    monkeypatch.setattr(decode, "ONE_PASS_FROM", len(data) + 1)
    assert fast == decode.to_utf8(data)
    assert (fast is data) == (odd == b"")
