"""Lark grammars from grammars/, compiled once per process and cached between runs.

Compiling a grammar costs tens of milliseconds, more than parsing a typical listing, so the
compiled parser is kept in the user's cache folder, keyed by the grammar files and the lark
version. The cache is written to a temporary name and renamed into place: a crash or a parallel
run never leaves a half-written cache behind. Where no cache folder is writable, grammars are
simply compiled each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

from faultlens.resources import data_dir

SHARED = "shared.lark"


@cache
def grammar(name: str):
    """An LALR parser for grammars/<name>.lark (one line of input per parse)."""
    import lark

    folder = data_dir("grammars")
    path = folder / f"{name}.lark"
    cached = _cache_file(name, [path, folder / SHARED], lark.__version__)
    if cached is not None and cached.exists():
        try:
            with cached.open("rb") as fh:
                return lark.Lark.load(fh)
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt, never fatal
            pass
    parser = lark.Lark.open(str(path), parser="lalr", lexer="contextual", maybe_placeholders=False)
    if cached is not None:
        _store(parser, cached)
    return parser


def _store(parser, cached: Path) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{cached.name}.", dir=cached.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            parser.save(fh)
        os.replace(tmp, cached)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


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
