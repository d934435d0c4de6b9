"""Lark grammars from grammars/, compiled once per process and cached between runs.

Compiling a grammar costs tens of milliseconds, more than parsing a typical listing, so the
compiled parser is kept in the user's cache folder (faultlens.cache), keyed by the grammar files
and the lark version.
"""

from __future__ import annotations

from functools import cache

from faultlens.cache import cache_file, store
from faultlens.resources import data_dir

SHARED = "shared.lark"


@cache
def grammar(name: str):
    """An LALR parser for grammars/<name>.lark (one line of input per parse)."""
    import lark

    folder = data_dir("grammars")
    path = folder / f"{name}.lark"
    cached = cache_file("grammars", name, [lark.__version__.encode(), path.read_bytes(), (folder / SHARED).read_bytes()],
                        ".lark-cache")
    if cached is not None and cached.exists():
        try:
            with cached.open("rb") as fh:
                return lark.Lark.load(fh)
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt, never fatal
            pass
    parser = lark.Lark.open(str(path), parser="lalr", lexer="contextual", maybe_placeholders=False)
    if cached is not None:
        store(cached, parser.save)
    return parser


def parse_errors():
    """The exception types a grammar raises on input it does not accept."""
    from lark.exceptions import LarkError

    return (LarkError,)
