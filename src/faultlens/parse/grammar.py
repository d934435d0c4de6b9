"""Lark grammars from grammars/, compiled once per process and cached between runs.

Compiling a grammar costs tens of milliseconds, more than parsing a typical listing, so the
compiled parser is kept in the user's cache folder (faultlens.cache), keyed by the grammar files
and the lark version.
"""

from __future__ import annotations

import contextlib
from functools import cache

from faultlens.cache import cache_file, load, store
from faultlens.resources import data_dir

SHARED = "shared.lark"


@cache
def grammar(name: str):
    """An LALR parser for grammars/<name>.lark (one line of input per parse)."""
    import lark

    folder = data_dir("grammars")
    path = folder / f"{name}.lark"
    cached = cache_file("grammars", name, [lark.__version__.encode(), path.read_bytes(), (folder / SHARED).read_bytes()],
                        ".lark.msgpack")
    data = load(cached)
    if data is not None:
        try:
            return lark.Lark.load(_unpack(data))
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt, never fatal
            pass
    parser = lark.Lark.open(str(path), parser="lalr", lexer="contextual", maybe_placeholders=False)
    if cached is not None:
        with contextlib.suppress(TypeError, OverflowError, ValueError):
            blob = _pack(parser)
            store(cached, lambda fh: fh.write(blob))
    return parser


# The compiled parser as data: lark's own serialized form (what Lark.save would pickle), written as
# MessagePack. Lark.load takes that dict back, so no pickle is ever read from the cache folder.
_BIG_INT = 1  # MessagePack extension code: an int beyond 64 bits (lark's "unbounded width")


def _pack(parser) -> bytes:
    import lark
    import msgspec

    data, memo = parser.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])

    def plain(value):
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return value
        if isinstance(value, int):
            return value if -(1 << 63) <= value < (1 << 64) else msgspec.msgpack.Ext(_BIG_INT, str(value).encode())
        if isinstance(value, str):
            return str(value)  # lark's Token is a str subclass
        if isinstance(value, dict):
            return {plain(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        raise TypeError(f"not plain data: {type(value).__name__}")

    return msgspec.msgpack.encode(plain({"data": data, "memo": memo}))


def _unpack(blob: bytes) -> dict:
    import msgspec

    def ext(code: int, data: memoryview):
        if code != _BIG_INT:
            raise ValueError(f"unknown extension {code}")
        return int(bytes(data))

    value = msgspec.msgpack.decode(blob, ext_hook=ext)
    if not isinstance(value, dict):
        raise ValueError("not a serialized parser")
    return value


def parse_errors():
    """The exception types a grammar raises on input it does not accept."""
    from lark.exceptions import LarkError

    return (LarkError,)
