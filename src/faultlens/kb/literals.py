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
"""

from __future__ import annotations

import re
import re._constants as C  # noqa: N812
import re._parser as sre
from collections.abc import Callable

MIN_BYTES = 4  # a shorter string is in too many lines to skip any (and slows the strings database)
MAX_STRINGS = 64  # the most strings one part of a pattern is expanded to
MAX_CLASS = 10  # a class of more characters ([a-z], \w) is a gap, not a choice of strings

_FLAGS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?[a-zA-Z-]+\)|.", re.S)

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


def _usable(strings: set[str] | None) -> bool:
    return bool(strings) and all(len(s.encode()) >= MIN_BYTES for s in strings)


class Literals:
    """One pattern's required strings, chosen under a cost (see the module)."""

    def __init__(self, regex: str):
        if "[:" in regex:  # RE2's [[:alpha:]]: Python reads a set of '[', ':', 'a'... and a literal ']'
            self._tree = None
            return
        try:
            self._tree = list(sre.parse(_without_flags(regex)))
        except (re.error, RecursionError, OverflowError, ValueError):
            self._tree = None

    def choose(self, cost: Cost) -> frozenset[str] | None:
        if self._tree is None:
            return None
        exact, required = _Walk(cost).seq(self._tree)
        found = exact if _usable(exact) else required
        return frozenset(found) if _usable(found) else None

    def offered(self) -> set[str]:
        """Every string any choice could hold (to count them in a sample of the log)."""
        if self._tree is None:
            return set()
        walk = _Walk(lambda s: 1.0 / len(s), collect=set())
        walk.seq(self._tree)
        return walk.collect


class _Walk:
    """(exact, required) of a part: exact is every string it can match (None if too many or
    unknown); required a usable set one of which every match holds (None if none)."""

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

    def seq(self, items) -> tuple[set[str] | None, set[str] | None]:
        run, found, whole = {""}, [], True
        for op, av in items:
            exact, required = self.node(op, av)
            if exact is not None and len(run) * len(exact) <= MAX_STRINGS:
                run = {a + b for a in run for b in exact}
                continue
            whole = False
            self._candidate(run, found)
            self._candidate(exact if _usable(exact) else required, found)
            run = {""}
        self._candidate(run, found)
        best = min(found, key=self._price, default=None)
        return (run if whole else None), best

    def node(self, op, av) -> tuple[set[str] | None, set[str] | None]:
        if op is C.LITERAL:
            return {chr(av).lower()}, None
        if op is C.AT:
            return {""}, None  # ^ $ \b: zero width
        if op is C.IN:
            return _class(av), None
        if op is C.SUBPATTERN:
            return self.seq(av[-1])
        if op is C.BRANCH:
            return self._branch(av[1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            return self._repeat(*av)
        return None, None  # ., negated classes, lookaround, anything unknown: a gap

    def _branch(self, alternatives) -> tuple[set[str] | None, set[str] | None]:
        walked = [self.seq(alt) for alt in alternatives]
        if all(exact is not None for exact, _ in walked):
            union = set().union(*(exact for exact, _ in walked))
            if len(union) <= MAX_STRINGS:
                return union, None
        chosen = [exact if _usable(exact) else required for exact, required in walked]
        if not all(_usable(c) for c in chosen):
            return None, None
        return None, set().union(*chosen)

    def _repeat(self, low: int, high: int, sub) -> tuple[set[str] | None, set[str] | None]:
        exact, required = self.seq(sub)
        if low == 0:
            if high == 1 and exact is not None and len(exact) < MAX_STRINGS:
                return exact | {""}, None  # optional: the strings, or nothing
            return None, None
        if low == high and exact is not None and len(exact) ** low <= MAX_STRINGS:
            strings = {""}
            for _ in range(low):
                strings = {a + b for a in strings for b in exact}
            return strings, None
        return None, (exact if _usable(exact) else required)
