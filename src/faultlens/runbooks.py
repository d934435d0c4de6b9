"""Runbooks: `runbooks/<cause-id>.md`, YAML front matter (id, title, keywords) + Markdown."""

from __future__ import annotations

import re
from pathlib import Path

from msgspec import Struct

from faultlens.cache import memo
from faultlens.kb.yamlload import load_yaml, yaml_error
from faultlens.model import RunbookRef

_FRONT = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)
_WORD = re.compile(r"[a-z0-9]+")


class Runbook(Struct, frozen=True):
    id: str
    title: str
    keywords: tuple[str, ...]
    body: str
    path: str

    @property
    def ref(self) -> RunbookRef:
        return RunbookRef(self.id, self.title, f"runbooks/{self.id}.md")


class RunbookError(Exception):
    pass


def load_runbooks(dirs: tuple[str, ...]) -> dict[str, Runbook]:
    """Every runbook in the folders; a later folder overrides an earlier one by id. Kept in the
    cache folder between runs, keyed by the files."""
    paths = [path for d in dirs for path in sorted(Path(d).glob("*.md"))]
    return memo("runbooks", paths, lambda: {book.id: book for book in map(_read, paths)}, (Runbook,),
                decode_as=dict[str, Runbook])


def read_runbook(path: Path) -> Runbook:
    """One runbook file (`kb lint` reads them one by one, to report every broken one)."""
    return _read(path)


def _read(path: Path) -> Runbook:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(f"{path}: cannot read: {exc}") from None
    m = _FRONT.match(text)
    if not m:
        raise RunbookError(f"{path}:1: runbook lacks its front matter (--- id/title/keywords ---)")
    try:
        meta = load_yaml(m[1], str(path)) or {}
    except (*yaml_error(), ValueError) as exc:  # bad YAML, a control character, a bound exceeded
        mark = getattr(exc, "problem_mark", None)
        reason = (getattr(exc, "problem", None) or str(exc)).splitlines()[0]
        raise RunbookError(f"{path}:{mark.line + 2 if mark else 2}: invalid front matter: {reason}") from None
    if not isinstance(meta, dict) or "title" not in meta:
        raise RunbookError(f"{path}:2: runbook front matter needs a title")
    keywords = meta.get("keywords") or ()
    if not isinstance(keywords, (list, tuple)) or any(isinstance(k, (list, dict)) for k in keywords):
        raise RunbookError(f"{path}:{meta.line_of('keywords')}: 'keywords' must be a list of words")
    rid = str(meta.get("id", path.stem))
    return Runbook(rid, str(meta["title"]), tuple(str(k) for k in keywords), m[2].strip(), str(path))


def find(books: dict[str, Runbook], query: str) -> list[Runbook]:
    """Runbooks for a query: exact id, then id/title/keyword words, then close spellings."""
    import difflib  # here: only a lookup by a misspelt word needs it

    q = query.strip().lower()
    if q in books:
        return [books[q]]
    words = _WORD.findall(q)
    scored = []
    for book in books.values():
        vocab = set(_WORD.findall(f"{book.id} {book.title} {' '.join(book.keywords)}".lower()))
        score = 0.0
        for w in words:
            if w in vocab:
                score += 1.0
            elif any(v.startswith(w) for v in vocab if len(w) >= 3):
                score += 0.8
            elif difflib.get_close_matches(w, vocab, n=1, cutoff=0.75):
                score += 0.6
        if score:
            scored.append((score / len(words), book))
    scored.sort(key=lambda sb: (-sb[0], sb[1].id))
    if not scored:
        return []
    best = scored[0][0]
    return [b for s, b in scored if s >= best - 1e-9]
