"""Template mining: which log lines are the same message with different values.

Nothing here knows a system: the masks are generic value shapes and every choice is one of a few
numbers in Config, picked by bench/templates (leave-one-system-out on Loghub-2k).

Two stages. The first is a few regexes over the whole text at C speed: a run of characters
between delimiters that holds a digit is a value and becomes <*> ("uid=0" -> "uid=<*>",
"(10.0.0.1)" -> "(<*>)"), so are dates, sizes with their units, paths and URLs, and values next
to each other are one ("<*> <*> <*>" -> "<*>": a list of ids, a date, whatever its length);
identical masked lines are counted once. The second works on the distinct masked lines only,
weighted by their counts (a night of logs has a few thousand), in the manner of Brain (Yu et al.,
2023): among lines with as many tokens, a message's own words occur exactly as often as the
message, so the tokens that share the frequency most of a line's tokens share are its root;
lines with the same root are one message, and a position where they disagree is a value when
  - it shows many different tokens (at least the square root of the lines) or at least
    min_distinct of which some are rare (a user, a host), or
  - some of its tokens are already values (<*>, "rhost=<*>"): the rest match that shape, or
  - every token there is, but for the words around it (user=root), one the log uses as a
    value elsewhere (root, admin: users);
a few frequent words there otherwise (GET/POST/DELETE, Started/Stopped) are different messages.
Then lines of different lengths meet: a template's adjacent values are one (so "<*> <*> - <*>"
and "<*> - <*>" are one message), a template that is another less one value is that one (an
empty value), and a template far rarer (Config.absorb times) than a more general one it fits is
that one (a value neither the masks nor the counts caught).
Brain: Yu, Chen et al., "Brain: Log Parsing with Bidirectional Parallel Tree", IEEE TSC 2023;
its reference code is logpai/logparser (logparser/Brain, Apache-2.0); nothing is copied from it.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from functools import cache

from msgspec import Struct

WILDCARD = "<*>"


class Config(Struct, frozen=True):
    """The miner's few choices. The defaults are what bench/templates picks on all the Loghub-2k
    systems it has; its leave-one-system-out run picks them on all but one and scores that one."""
    min_distinct: int = 4  # fewer different tokens at a position are different messages...
    rare: int = 3  # ...unless one is seen in at most this many lines (a value's, not a word's)
    paths: bool = True  # /a/b, ~/a, scheme://x are values
    join: bool = True  # values next to each other are one value
    slots: bool = True  # a position where some tokens are values holds values
    vocab: bool = True  # tokens the log uses as values elsewhere are values
    hosts: bool = True  # a.example.com, b.example.org: values
    optional: bool = True  # "user  from <*>" (an empty value) is "user <*> from <*>"
    absorb: int = 16  # a template this many times rarer than a more general one it fits is that one (0: never)


DEFAULT = Config()

_WS = r" \t\n\r\f\v"  # ASCII only, here and below: Python's re and polars' regex must agree
_D = _WS + r"()\[\]{}\"'=,;:"  # delimiters: a value is a run between them
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?"
# (pattern, replacement): applied in order, to a whole text or to each line of a polars Series.
# No look-around (polars' engine has none): a delimiter matched before a value is put back. A
# value match starts only after a delimiter, so the scan stays linear in a digit-free megabyte.
_DATE = (rf"(^|[^A-Za-z0-9_])(?:{_DAY} +)?{_MONTH} +([0-9])", (1, "", 2))  # "Fri Jun 17 07:07:00" -> "17 07:07:00"
_UNIT = (r"([0-9]) +(?:[KMGTP]i?B|B|bytes|[mun]?s|secs?|seconds|min|minutes|hours?|days)($|[^A-Za-z0-9_])",
         (1, "", 2))
_PATH = (rf"(^|[{_D}])(?:[A-Za-z][A-Za-z0-9+.-]*://|~?/)[^{_D}]+", (1, WILDCARD))  # /a/b, ~/a, http://x
# (?m) and no line break in the closing delimiter: in a whole text a match must not take the
# line break the next line's match starts after (per line, in polars, there is none to take)
_HOST = (rf"(?m)(^|[{_D}])[^{_D}]*[A-Za-z0-9-]\.(?:com|net|org|edu|gov|mil|info|biz)\.?($|[{_D.replace(chr(92) + 'n', '')}])",
         (1, WILDCARD, 2))
_DIGIT = (rf"(^|[{_D}])[^{_D}]*[0-9][^{_D}]*", (1, WILDCARD))  # a run with a digit
_EMPTY = (r"([(\[])([)\]])", (1, WILDCARD, 2))  # an empty value
_GLUED = (rf"<\*>(?:[^{_WS}A-Za-z0-9_<]*<\*>)+", (WILDCARD,))  # "<*>:<*>", "<*>,<*>": one value
_SPACED = (r"<\*>(?:[ \t]+<\*>)+", (WILDCARD,))  # "<*> <*> <*>": one value


def _mask_set(config: Config) -> tuple:
    return ((_DATE, _UNIT) + ((_PATH,) if config.paths else ()) + ((_HOST,) if config.hosts else ()) + (_DIGIT, _EMPTY, _GLUED)
            + ((_SPACED,) if config.join else ()))


def _replacement(parts: tuple, group: str) -> str:
    return "".join(group.format(p) if isinstance(p, int) else p for p in parts)


@cache
def _py_masks(config: Config) -> tuple:
    """Compiled on first use: an explained run never masks a line."""
    return tuple((re.compile(p), _replacement(parts, r"\g<{}>")) for p, parts in _mask_set(config))


@cache
def _pl_masks(config: Config) -> tuple:
    return tuple((p, _replacement(parts, "${{{}}}")) for p, parts in _mask_set(config))


POLARS_FROM = 20_000  # lines: below, polars' import costs more than it saves


def mask(text: str, config: Config = DEFAULT) -> str:
    """Text (one line or many) with its obvious values replaced by <*>."""
    for pattern, repl in _py_masks(config):
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


def mask_lines(lines: list[str], config: Config = DEFAULT) -> list[str]:
    """mask() of each line. The masks see digits only as [0-9], so lines that differ only in
    their digits mask alike: each distinct digit-folded line is masked once (in polars, on both
    cores, when there are many; through Python's re otherwise)."""
    folded = _fold_digits(lines)
    distinct = list(dict.fromkeys(folded))
    masked = dict(zip(distinct, _mask_distinct(distinct, config)))
    return [masked[key] for key in folded]


def _mask_distinct(lines: list[str], config: Config) -> list[str]:
    if len(lines) >= POLARS_FROM:
        import polars as pl

        try:
            series = pl.Series(lines, dtype=pl.Utf8)
        except (UnicodeError, pl.exceptions.PolarsError):
            pass  # not valid UTF-8 (lone surrogates): the plain way below
        else:
            for pattern, repl in _pl_masks(config):
                series = series.str.replace_all(pattern, repl)
            return series.to_list()
    masked = mask("\n".join(lines), config).split("\n")
    if len(masked) != len(lines):  # a line held a line break of its own: mask one by one
        masked = [mask(line, config) for line in lines]
    return masked


class Mined(Struct):
    templates: list[str]  # one per group, values as <*>
    groups: list[int]  # for each input line, the index of its template


def mine(lines: list[str], config: Config = DEFAULT) -> Mined:
    """The lines' templates and, for each line, the index of its own (numbered by first
    appearance). Each distinct digit-folded line is masked and looked up once."""
    folded = _fold_digits(lines)
    per_folded = Counter(folded)  # insertion-ordered: first appearance
    distinct = list(per_folded)
    masked = _mask_distinct(distinct, config)
    counts: Counter = Counter()
    for key, n in zip(masked, per_folded.values()):
        counts[key] += n
    template_of = _merge(counts, config)
    index: dict[str, int] = {}
    group_of = {f: index.setdefault(template_of[key], len(index)) for f, key in zip(distinct, masked)}
    return Mined(list(index), list(map(group_of.__getitem__, folded)))


def mine_masked(masked: list[str], config: Config = DEFAULT) -> Mined:
    """mine() of lines already through mask_lines(lines, config)."""
    template_of = _merge(Counter(masked), config)
    index: dict[str, int] = {}
    groups = []
    for key in masked:
        groups.append(index.setdefault(template_of[key], len(index)))
    return Mined(list(index), groups)


def _fits(shape: str, token: str) -> bool:
    """Whether token is an instance of shape, a token with <*> in it ("rhost=<*>", "<*>")."""
    head, _, rest = shape.partition(WILDCARD)
    tail = rest.rpartition(WILDCARD)[2]
    return len(token) >= len(head) + len(tail) and token.startswith(head) and token.endswith(tail)


def _value(shape: str, token: str) -> str:
    """The part of token under shape's <*> ("user=root" under "user=<*>": "root")."""
    head, _, rest = shape.partition(WILDCARD)
    tail = rest.rpartition(WILDCARD)[2]
    return token[len(head):len(token) - len(tail)]


def _slot(seen: Counter) -> str | None:
    """The value shape every token at a position fits, when some of them are values already:
    the most specific one ("rhost=<*>" before "<*>")."""
    shapes = sorted((tok for tok in seen if WILDCARD in tok), key=len, reverse=True)
    for shape in shapes:
        if all(_fits(shape, tok) for tok in seen):
            return shape
    return None


_CUT = set("()[]{}\"'=,;:")


def _shape(seen: Counter) -> str:
    """A value position as the template shows it: the words its tokens share around the value
    ("user=root", "user=admin" -> "user=<*>"), cut at a delimiter."""
    tokens = list(seen)
    head = os.path.commonprefix(tokens)
    tail = os.path.commonprefix([t[::-1] for t in tokens])[::-1]
    cut = max((i + 1 for i, c in enumerate(head) if c in _CUT), default=0)
    head = head[:cut]
    tail = tail[len(tail) - max((len(tail) - i for i, c in enumerate(tail) if c in _CUT), default=0):]
    if len(head) + len(tail) > min(len(t) for t in tokens):
        return WILDCARD  # "a=" and "a=b": no room between
    return head + WILDCARD + tail


class _Group:
    """Distinct masked lines of one length with one root; what stands at each varying position."""
    __slots__ = ("members", "open", "values")

    def __init__(self, members: list, skeleton: tuple):
        self.members = members  # (tokens, count, key)
        self.open: dict[int, Counter] = {}  # position -> token -> lines, where members differ
        self.values: dict[int, str] = {}  # position -> what the template shows there
        for pos, tok in enumerate(skeleton):
            if tok is None:
                seen: Counter = Counter()
                for tokens, n, _ in members:
                    seen[tokens[pos]] += n
                if len(seen) > 1:
                    self.open[pos] = seen


def _merge(counts: Counter, config: Config) -> dict[str, str]:
    """Masked line -> template, from the distinct masked lines and how often each occurs."""
    buckets: dict[int, list[tuple[tuple[str, ...], int, str]]] = defaultdict(list)
    for key, n in counts.items():
        tokens = tuple(key.split())
        buckets[len(tokens)].append((tokens, n, key))
    groups = [g for items in buckets.values() for g in _root_groups(items)]
    vocab: set[str] = set()
    for g in groups:
        for pos, seen in g.open.items():
            shape = _slot(seen) if config.slots else None
            if shape is not None:
                g.values[pos] = shape
            elif len(seen) >= config.min_distinct and (len(seen) ** 2 >= seen.total()
                                                       or min(seen.values()) <= config.rare):
                g.values[pos] = _shape(seen)
            else:
                continue
            shape = g.values[pos]
            vocab.update(_value(shape, tok) for tok in seen if WILDCARD not in tok)
    if config.vocab:
        for g in groups:
            for pos, seen in g.open.items():
                if pos in g.values:
                    continue
                shape = _shape(seen)
                if all(_value(shape, tok) in vocab for tok in seen):
                    g.values[pos] = shape
    out: dict[str, str] = {}
    for g in groups:
        for tokens, _, key in g.members:
            shown = [g.values.get(pos, tok) for pos, tok in enumerate(tokens)]
            if config.join:
                shown = [tok for i, tok in enumerate(shown) if not (tok == WILDCARD and i and shown[i - 1] == WILDCARD)]
            out[key] = " ".join(shown)
    if config.optional:
        _optional(out)
    if config.absorb:
        _absorb(out, counts, config.absorb)
    return out


def _optional(out: dict[str, str]) -> None:
    """A template that is another one less one standalone value is that one: the same message
    printed with an empty value ("Invalid user  from <*>" and "Invalid user <*> from <*>")."""
    longer: dict[tuple[str, ...], str] = {}
    for t in sorted(set(out.values())):
        tokens = t.split()
        for i, tok in enumerate(tokens):
            if tok == WILDCARD:
                longer.setdefault(tuple(tokens[:i] + tokens[i + 1:]), t)
    if not longer:
        return
    final: dict[str, str] = {}
    for t in set(out.values()):
        u = t
        while (v := longer.get(tuple(u.split()))) is not None:  # one token longer each time: ends
            u = v
        final[t] = u
    for key, t in out.items():
        out[key] = final[t]


def _root_groups(items: list[tuple[tuple[str, ...], int, str]]) -> list[_Group]:
    """Brain's longest common pattern: the lines of one length grouped by their root."""
    freq: Counter = Counter()
    for tokens, n, _ in items:
        for pos, tok in enumerate(tokens):
            freq[pos, tok] += n
    by_root: dict[tuple, list] = defaultdict(list)
    for tokens, n, key in items:
        f = [freq[pos, tok] for pos, tok in enumerate(tokens)]
        shared = Counter(x for x, tok in zip(f, tokens) if tok != WILDCARD)
        # the frequency most tokens share; on a tie the rarer, the more specific message
        root = max(shared.items(), key=lambda kv: (kv[1], -kv[0]))[0] if shared else 0
        skeleton = tuple(tok if x == root and tok != WILDCARD else None for tok, x in zip(tokens, f))
        by_root[skeleton].append((tokens, n, key))
    return [_Group(members, skeleton) for skeleton, members in by_root.items()]


def _absorb(out: dict[str, str], counts: Counter, ratio: int) -> None:
    """A template that fits a more general one (a value where it has a word) and is at least
    ratio times rarer is that one: a single line whose value neither masks nor counts caught."""
    size: Counter = Counter()
    for key, n in counts.items():
        size[out[key]] += n
    # general templates by length and by the positions of their values: key -> templates
    index: dict[int, dict[tuple[int, ...], dict[tuple[str, ...], list[str]]]] = defaultdict(lambda: defaultdict(dict))
    split = {t: t.split() for t in size}
    for t, tokens in split.items():
        holes = tuple(i for i, tok in enumerate(tokens) if WILDCARD in tok)
        if holes:
            fixed = tuple(tok for i, tok in enumerate(tokens) if WILDCARD not in tok)
            index[len(tokens)][holes].setdefault(fixed, []).append(t)
    final: dict[str, str] = {}
    for t in sorted(size, key=lambda t: (-size[t], t)):
        tokens = split[t]
        best = None
        for holes, by_fixed in index.get(len(tokens), {}).items():
            hole_set = set(holes)
            fixed = tuple(tok for i, tok in enumerate(tokens) if i not in hole_set)
            for u in by_fixed.get(fixed, ()):
                if u != t and size[u] >= ratio * size[t] and (best is None or size[u] > size[best]) \
                        and all(_fits(split[u][i], tokens[i]) for i in holes):
                    best = u
        final[t] = final.get(best, best) if best is not None else t
    for key, t in out.items():
        out[key] = final[t]
