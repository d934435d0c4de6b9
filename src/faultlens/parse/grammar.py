"""Lark grammars from grammars/, compiled once per process and cached between runs.

Compiling a grammar costs tens of milliseconds, more than parsing a typical listing, so the
compiled parser is kept in the user's cache folder, keyed by the grammar files and the lark
version. The cache is written to a temporary name and renamed into place: a crash or a parallel
run never leaves a half-written cache behind. Where no cache folder is writable, grammars are
simply compiled each time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

from faultlens.resources import data_dir

SHARED = "shared.lark"


@cache
def grammar(name: str, transformer_cls: type | None = None):
    """An LALR parser for grammars/<name>.lark (one line of input per parse).

    With a transformer class, the transformer runs inside the parser (no tree is built)."""
    import lark

    folder = data_dir("grammars")
    path = folder / f"{name}.lark"
    options = dict(parser="lalr", lexer="contextual", maybe_placeholders=False,
                   transformer=transformer_cls() if transformer_cls else None)
    cached = _cache_file(name, [path, folder / SHARED], lark.__version__)
    if cached is None:
        return lark.Lark.open(str(path), **options)
    if cached.exists():
        return lark.Lark.open(str(path), cache=str(cached), **options)
    fd, tmp = tempfile.mkstemp(prefix=f".{cached.name}.", dir=cached.parent)
    os.close(fd)
    os.unlink(tmp)  # lark writes the file itself
    try:
        parser = lark.Lark.open(str(path), cache=tmp, **options)
        os.replace(tmp, cached)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return parser


def _cache_file(name: str, sources: list[Path], lark_version: str) -> Path | None:
    digest = hashlib.sha256(lark_version.encode())
    for src in sources:
        digest.update(src.read_bytes())
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "faultlens" / "grammars"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return folder / f"{name}-{digest.hexdigest()[:16]}.lark-cache"


def parse_errors():
    """The exception types a grammar raises on input it does not accept."""
    from lark.exceptions import LarkError

    return (LarkError,)
