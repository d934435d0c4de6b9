"""Template mining: which log lines are the same message with different values.

Two stages. The first is a few regexes over the whole text at C speed: a run of characters
between delimiters that holds a digit is a value and becomes <*> ("uid=0" -> "uid=<*>",
"(10.0.0.1)" -> "(<*>)"), so are dates and sizes with their units, and identical masked lines are
counted once. The second works on the distinct masked lines only, weighted by their counts (a
night of logs has a few thousand), in the manner of Brain (Yu et al., 2023): among lines with as
many tokens, a message's own words occur exactly as often as the message, so the tokens that
share the frequency most of a line's tokens share are its root; lines with the same root are one
message, and a position where they disagree is a value when it shows many different tokens (at
least the square root of the lines) or at least three of which some are rare (a user, a host);
a few frequent words there (GET/POST/DELETE, Started/Stopped) are different messages.

One configuration for every log: bench/templates measures it on Loghub-2k beside Drain3.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache

from msgspec import Struct

WILDCARD = "<*>"
MIN_DISTINCT = 3  # fewer different tokens at a position are different messages
RARE = 2  # a token seen in at most this many lines is a value's, not a message's word

_WS = r" \t\n\r\f\v"  # ASCII only, here and below: Python's re and polars' regex must agree
_D = _WS + r"()\[\]{}\"'=,;:"  # delimiters: a value is a run between them
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?"
# (pattern, replacement): applied in order, to a whole text or to each line of a polars Series.
# No look-around (polars' engine has none): a delimiter matched before a value is put back. A
# value match starts only after a delimiter, so the scan stays linear in a digit-free megabyte.
_MASKS = (
    (rf"(^|[^A-Za-z0-9_])(?:{_DAY} +)?{_MONTH} +([0-9])", (1, "", 2)),  # "Fri Jun 17 07:07:00" -> "17 07:07:00"
    (r"([0-9]) +(?:[KMGTP]i?B|B|bytes|[mun]?s|secs?|seconds|min|minutes|hours?|days)($|[^A-Za-z0-9_])", (1, "", 2)),
    (rf"(^|[{_D}])[^{_D}]*[0-9][^{_D}]*", (1, WILDCARD)),  # a run with a digit
    (r"([(\[])([)\]])", (1, WILDCARD, 2)),  # an empty value
    (rf"<\*>(?:[^{_WS}A-Za-z0-9_<]*<\*>)+", (WILDCARD,)),  # "<*>:<*>", "<*>,<*>": one value
)


def _replacement(parts: tuple, group: str) -> str:
    return "".join(group.format(p) if isinstance(p, int) else p for p in parts)


@cache
def _py_masks() -> tuple:
    """Compiled on first use: an explained run never masks a line."""
    return tuple((re.compile(p), _replacement(parts, r"\g<{}>")) for p, parts in _MASKS)


_PL_MASKS = tuple((p, _replacement(parts, "${{{}}}")) for p, parts in _MASKS)
POLARS_FROM = 20_000  # lines: below, polars' import costs more than it saves


def mask(text: str) -> str:
    """Text (one line or many) with its obvious values replaced by <*>."""
    for pattern, repl in _py_masks():
        text = pattern.sub(repl, text)
    return text


_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")


def _fold_digits(lines: list[str]) -> list[str]:
    """Every digit made 0, through bytes (several times faster than str.translate)."""
    text = "\n".join(lines).encode("utf-8", "surrogatepass").translate(_DIGITS)
    folded = text.decode("utf-8", "surrogatepass").split("\n")
    if len(folded) != len(lines):  # a line held a line break of its own
        folded = [line.encode("utf-8", "surrogatepass").translate(_DIGITS).decode("utf-8", "surrogatepass")
                  for line in lines]
    return folded


def mask_lines(lines: list[str]) -> list[str]:
    """mask() of each line. The masks see digits only as [0-9], so lines that differ only in
    their digits mask alike: each distinct digit-folded line is masked once (in polars, on both
    cores, when there are many; through Python's re otherwise)."""
    folded = _fold_digits(lines)
    distinct = list(dict.fromkeys(folded))
    masked = dict(zip(distinct, _mask_distinct(distinct)))
    return [masked[key] for key in folded]


def _mask_distinct(lines: list[str]) -> list[str]:
    if len(lines) >= POLARS_FROM:
        import polars as pl

        try:
            series = pl.Series(lines, dtype=pl.Utf8)
        except (UnicodeError, pl.exceptions.PolarsError):
            pass  # not valid UTF-8 (lone surrogates): the plain way below
        else:
            for pattern, repl in _PL_MASKS:
                series = series.str.replace_all(pattern, repl)
            return series.to_list()
    masked = mask("\n".join(lines)).split("\n")
    if len(masked) != len(lines):  # a line held a line break of its own: mask one by one
        masked = [mask(line) for line in lines]
    return masked


class Mined(Struct):
    templates: list[str]  # one per group, values as <*>
    groups: list[int]  # for each input line, the index of its template


def mine(lines: list[str]) -> Mined:
    masked = mask_lines(lines)
    template_of = _merge(Counter(masked))
    index: dict[str, int] = {}
    groups = []
    for key in masked:
        groups.append(index.setdefault(template_of[key], len(index)))
    return Mined(list(index), groups)


def _merge(counts: Counter) -> dict[str, str]:
    """Masked line -> template, from the distinct masked lines and how often each occurs."""
    buckets: dict[int, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
    for key, n in counts.items():
        tokens = tuple(key.split())
        buckets[len(tokens)].append((key, tokens, n))
    out: dict[str, str] = {}
    for items in buckets.values():
        out.update(_merge_bucket(items))
    return out


def _merge_bucket(items: list[tuple[str, tuple[str, ...], int]]) -> dict[str, str]:
    freq: Counter = Counter()
    for _, tokens, n in items:
        for pos, tok in enumerate(tokens):
            freq[pos, tok] += n
    by_root: dict[tuple, list[tuple[tuple[str, ...], int, str]]] = defaultdict(list)
    for key, tokens, n in items:
        f = [freq[pos, tok] for pos, tok in enumerate(tokens)]
        shared = Counter(x for x, tok in zip(f, tokens) if tok != WILDCARD)
        # the frequency most tokens share; on a tie the rarer, the more specific message
        root = max(shared.items(), key=lambda kv: (kv[1], -kv[0]))[0] if shared else 0
        skeleton = tuple(tok if x == root and tok != WILDCARD else None for tok, x in zip(tokens, f))
        by_root[skeleton].append((tokens, n, key))
    out: dict[str, str] = {}
    for skeleton, members in by_root.items():
        values = set()
        for pos, tok in enumerate(skeleton):
            if tok is not None:
                continue
            seen: Counter = Counter()
            for tokens, n, _ in members:
                seen[tokens[pos]] += n
            if len(seen) >= MIN_DISTINCT and (len(seen) ** 2 >= seen.total() or min(seen.values()) <= RARE):
                values.add(pos)
        for tokens, _, key in members:
            out[key] = " ".join(WILDCARD if pos in values else tok for pos, tok in enumerate(tokens))
    return out
