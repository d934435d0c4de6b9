"""The strings a pattern cannot match without: what lets a big log skip the lines no pattern may
match at several GB/s, the way ripgrep and RE2's FilteredRE2 do.

`Literals(regex)` reads the pattern's syntax tree once. `choose(cost)` then gives a set of
lower-case strings such that every match of the pattern, on ASCII text, holds one of them
(ignoring case), picking among the sets the pattern offers the cheapest under `cost`: a
pattern `ACL[^\\n]*denied` offers {"acl"} and {"denied"}, and on a log full of `denied=0` the
caller says "denied" is dear. None when the pattern offers no set of strings of MIN_BYTES or
more (`\\d+ Killed` offers " killed"; `[-rwx]{9}\\+` offers nothing).

The tree is Python's reading of the pattern (`re._parser`); RE2 syntax it does not read the same
way is refused, never guessed: a pattern it cannot parse, or a construct the walk does not know,
offers nothing there, which only costs speed (the caller then scans for the whole pattern).
Case: strings are lowered and matched ignoring case, a superset of either case; RE2's folding of
`k` to the Kelvin sign needs non-ASCII text, where callers do not use this.

Word edges: a `\\b` next to a string is part of it (written BOUNDARY in the string; `expression`
turns it into `\\b` for Hyperscan, whose ASCII word edge is RE2's). `\\berror\\b` is rare in a log
full of `errors=0` where `error` is everywhere, and a whole short word (`\\bEIO\\b`, `\\b401\\b`)
is selective enough to look for where three bare letters are not.
"""

from __future__ import annotations

import re
import re._constants as C  # noqa: N812
import re._parser as sre
from collections.abc import Callable

MIN_BYTES = 4  # a shorter string is in too many lines to skip any (and slows the strings database)
MIN_WORD_BYTES = 3  # ...unless it is a whole word (a word edge at both ends)
BOUNDARY = "\uffff"  # a word edge (`\b`) within a string: a noncharacter, never in a pattern's text
MAX_STRINGS = 64  # the most strings one part of a pattern is expanded to
MAX_CLASS = 10  # a class of more characters ([a-z], \w) is a gap, not a choice of strings

_FLAGS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?[a-zA-Z-]+\)|.", re.S)

_POSIX_CLASS = re.compile(r"\[:\^?[a-z]+:\]")  # [:digit:] (not `[:\s]`, a class holding ':')

Cost = Callable[[str], float]


def _without_flags(regex: str) -> str:
    """The pattern without its inline flag groups ((?i), (?m), (?s) anywhere): Python refuses
    them past the start, and none of them changes which strings a match holds once case is
    ignored."""
    return "".join(t for t in _FLAGS.findall(regex) if not (t.startswith("(?") and t.endswith(")")))


def _class(items) -> set[str] | None:
    """The characters of a small class ([Ee], [-_], \\d), lowered; None for anything larger,
    negated, or holding a line break."""
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av).lower())
        elif op is C.RANGE and av[1] - av[0] < MAX_CLASS * 2:
            chars |= {chr(c).lower() for c in range(av[0], av[1] + 1)}
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            chars |= set("0123456789")
        else:
            return None
    return chars if 0 < len(chars) <= MAX_CLASS and "\n" not in chars else None


def _long_enough(s: str) -> bool:
    size = len(s.replace(BOUNDARY, "").encode())
    return size >= MIN_BYTES or (size >= MIN_WORD_BYTES and s[:1] == BOUNDARY == s[-1:])


def _usable(strings: set[str] | None) -> bool:
    return bool(strings) and all(_long_enough(s) for s in strings)


def _separators(strings: set[str] | None) -> bool:
    return strings is not None and all(len(s) == 1 and not (s.isalnum() or s == "_" or s == BOUNDARY) for s in strings)


def _joined(a: str, b: str) -> str:
    return a[:-1] + b if a[-1:] == BOUNDARY == b[:1] else a + b  # two edges in a row are one


def bare(s: str) -> str:
    """The string without its word edges (which Hyperscan finds faster)."""
    return s.replace(BOUNDARY, "")


def expression(s: str) -> str:
    """A chosen string as a Hyperscan expression: escaped, its word edges as `\\b`."""
    return "\\b".join(re.escape(part) for part in s.split(BOUNDARY))


def alternatives(regex: str) -> list[str]:
    """The pattern's top-level alternatives, each a pattern of its own (`(?:(?i)A|B)` gives
    `(?i)A` and `(?i)B`): a line matches the pattern when it matches one of them, so each can be
    looked for its own way. The pattern itself where it has one, or sets flags past its start."""
    tokens = _FLAGS.findall(regex)
    if tokens[:3] == ["(", "?", ":"] and tokens[-1:] == [")"] and _closes(tokens) == len(tokens) - 1:
        tokens = tokens[3:-1]
    flags = ""
    while tokens and tokens[0].startswith("(?") and tokens[0].endswith(")"):
        flags += tokens.pop(0)
    if any(t.startswith("(?") and t.endswith(")") for t in tokens):
        return [regex]  # a flag set midway holds across the `|` after it
    parts, depth, current = [], 0, []
    for token in tokens:
        depth += (token == "(") - (token == ")")
        if token == "|" and depth == 0:
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return [flags + "".join(part) for part in parts] if len(parts) > 1 else [regex]


def _closes(tokens: list[str]) -> int:
    """The index of the token that closes the group the first token opens."""
    depth = 0
    for i, token in enumerate(tokens):
        depth += (token == "(") - (token == ")")
        if depth == 0:
            return i
    return -1


class Literals:
    """One pattern's required strings, chosen under a cost (see the module)."""

    def __init__(self, regex: str):
        if _POSIX_CLASS.search(regex):  # RE2's [[:alpha:]]: Python reads a set of '[', ':', 'a'... and a literal ']'
            self._tree = None
            return
        try:
            self._tree = list(sre.parse(_without_flags(regex)))
        except (re.error, RecursionError, OverflowError, ValueError):
            self._tree = None

    def choose(self, cost: Cost) -> frozenset[str] | None:
        if self._tree is None:
            return None
        exact, required, _ = _Walk(cost).seq(self._tree)
        found = exact if _usable(exact) else required
        return frozenset(found) if _usable(found) else None

    def offered(self) -> set[str]:
        """Every string any choice could hold (to count them in a sample of the log)."""
        if self._tree is None:
            return set()
        walk = _Walk(lambda s: 1.0 / len(s), collect=set())
        walk.seq(self._tree)
        return walk.collect | {b for s in walk.collect if len((b := bare(s)).encode()) >= MIN_BYTES}


class _Walk:
    """(exact, required, tail) of a part: exact is every string it can match (None if too many
    or unknown); required a usable set one of which every match holds (None if none); tail the
    strings every match ends with (after its last gap; {""} if none is known), from which what
    follows goes on (`(?:HTTP/\\S* |status )401` offers ` 401`)."""

    def __init__(self, cost: Cost, collect: set[str] | None = None):
        self.cost = cost
        self.collect = collect

    def _price(self, strings: set[str]) -> float:
        return sum(self.cost(s) for s in strings)

    def _candidate(self, strings: set[str] | None, found: list[set[str]]) -> None:
        if _usable(strings):
            found.append(strings)
            if self.collect is not None:
                self.collect |= strings

    def seq(self, items, run: set[str] | None = None) -> tuple[set[str] | None, set[str] | None, set[str]]:
        """`run`: the strings right before the sequence (a group or an alternation goes on from
        them: `\\b(?:error|fail\\S*)` offers `\\berror`)."""
        run, found, whole = run or {""}, [], True
        for op, av in items:
            if op in (C.SUBPATTERN, C.BRANCH):  # goes on from the run: its exact strings hold it
                exact, required, tail = self.seq(av[-1], run) if op is C.SUBPATTERN else self._branch(av[1], run)
                if exact is not None and len(exact) <= MAX_STRINGS:
                    run = exact
                    continue
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and 1 <= av[0] < av[1] and _separators(self.seq(av[2])[0]):
                # [ :=]+401: the first separator follows the run, the last one comes right before
                # what follows (`=401` is rarer than `401`; a run of digits or letters is a gap)
                exact = self.seq(av[2])[0]
                if len(run) * len(exact) <= MAX_STRINGS:
                    whole = False
                    self._candidate({_joined(a, b) for a in run for b in exact}, found)
                    run = exact
                    continue
                required, tail = None, exact
            else:
                exact, required, tail = self.node(op, av)
                if exact is not None and len(run) * len(exact) <= MAX_STRINGS:
                    run = {_joined(a, b) for a in run for b in exact}
                    continue
            whole = False
            self._candidate(run, found)
            self._candidate(exact if _usable(exact) else required, found)
            run = tail
        self._candidate(run, found)
        best = min(found, key=self._price, default=None)
        return (run if whole else None), best, run

    def node(self, op, av) -> tuple[set[str] | None, set[str] | None, set[str]]:
        if op is C.LITERAL:
            return {chr(av).lower()}, None, {chr(av).lower()}
        if op is C.AT:
            edge = {BOUNDARY if av is C.AT_BOUNDARY else ""}  # \b is kept; ^ $ \B: zero width
            return edge, None, edge
        if op is C.IN:
            chars = _class(av)
            return chars, None, chars or {""}
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            return self._repeat(*av)
        return None, None, {""}  # ., negated classes, lookaround, anything unknown: a gap

    def _branch(self, alternatives, run: set[str] | None = None) -> tuple[set[str] | None, set[str] | None, set[str]]:
        walked = [self.seq(alt, run) for alt in alternatives]
        tails = set().union(*(tail for _, _, tail in walked))
        tail = tails if len(tails) <= MAX_STRINGS else {""}
        if all(exact is not None for exact, _, _ in walked):
            union = set().union(*(exact for exact, _, _ in walked))
            if len(union) <= MAX_STRINGS:
                return union, None, union
        chosen = [exact if _usable(exact) else required for exact, required, _ in walked]
        if not all(_usable(c) for c in chosen):
            return None, None, tail
        return None, set().union(*chosen), tail

    def _repeat(self, low: int, high: int, sub) -> tuple[set[str] | None, set[str] | None, set[str]]:
        exact, required, tail = self.seq(sub)
        if low == 0:
            if high == 1 and exact is not None and len(exact) < MAX_STRINGS:
                return exact | {""}, None, exact | {""}  # optional: the strings, or nothing
            return None, None, {""}
        if low == high and exact is not None and len(exact) ** low <= MAX_STRINGS:
            strings = {""}
            for _ in range(low):
                strings = {_joined(a, b) for a in strings for b in exact}
            return strings, None, strings
        # the last time round ends the match; `\\d+ Killed` goes on from nothing, not ten digits
        return None, (exact if _usable(exact) else required), (tail if exact is None else {""})
