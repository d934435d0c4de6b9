"""The user's cache folder: compiled grammars and pattern databases, kept between runs.

Keyed by a digest of what they were built from; written to a temporary name and renamed into
place, so a crash or a parallel run never leaves a half-written file. Where no cache folder is
writable, callers simply build each time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

try:  # what hashlib.blake2b is, without hashlib loading OpenSSL first (5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

T = TypeVar("T")


def digest():
    """A fresh hash for cache keys and knowledge-base versions."""
    return blake2b(digest_size=16)


def cache_file(kind: str, name: str, parts: Iterable[bytes], suffix: str) -> Path | None:
    key = digest()
    for part in parts:  # each part digested on its own: no two lists of parts run together alike
        key.update(blake2b(part, digest_size=16).digest())
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "faultlens" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return folder / f"{name}-{key.hexdigest()[:16]}{suffix}"


def store(path: Path, write: Callable) -> None:
    """write(binary file) into path, atomically; a cache that cannot be written is skipped. The
    folder then keeps its KEEP newest files: each edit of a knowledge base or grammar is a new key,
    and nothing else would ever remove the old ones."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    _prune(path.parent)


KEEP = 32  # files per cache folder


def _prune(folder: Path) -> None:
    """Remove all but the KEEP newest finished files (a reader that loses one rebuilds it)."""
    with contextlib.suppress(OSError):
        files = [e for e in os.scandir(folder) if e.is_file() and not e.name.startswith(".")]
        if len(files) <= KEEP:
            return
        files.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for old in files[KEEP:]:
            with contextlib.suppress(OSError):
                os.unlink(old.path)


def memo(kind: str, sources: list[Path], build: Callable[[], T], classes: tuple[type, ...]) -> T:
    """build(), or what it returned last time for the same source files (paths and bytes), for
    this faultlens and this Python, and the same code of the modules that define the pickled
    `classes` (a changed record class is a new key). Pickled into our own cache folder, only ever
    read back from there."""
    from faultlens import __version__

    code = sorted({Path(f) for c in classes if (f := getattr(sys.modules[c.__module__], "__file__", None))})
    try:
        parts = [__version__.encode(), sys.version.encode()] + [b for p in code + sources for b in (str(p).encode(), p.read_bytes())]
    except OSError:
        return build()  # unreadable: build() says which file and why
    path = cache_file(kind, kind, parts, ".pickle")
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt
            pass
    value = build()
    if path is not None:
        store(path, lambda fh: pickle.dump(value, fh, pickle.HIGHEST_PROTOCOL))
    return value
