"""The strings a pattern cannot match without (faultlens.kb.literals): every match holds one of
the chosen strings, whatever the cost that chose them; what Python's parser cannot read, or the
walk does not know, offers nothing rather than a guess."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens.kb.literals import BOUNDARY, Literals, expression
from faultlens.kb.patterns import compile_pattern, for_engine
from faultlens.kb.loader import load_kb


B = BOUNDARY


def _short(s: str) -> float:
    return 1.0 / len(s)


def _dear(word: str):
    return lambda s: (1000.0 if word in s else 0.0) + 1.0 / len(s)


@pytest.mark.parametrize("regex, cost, expected", [
    (r"(?i)\bACL\b[^\n]*\b(?:denies|denied)\b", _dear("acl"), {f"{B}denies{B}", f"{B}denied{B}"}),
    (r"(?i)\bACL: [^\n]*\b(?:denies|denied)\b", _dear("deni"), {f"{B}acl: "}),
    (r"\b\d+: +\d+ Killed\b", _short, {f" killed{B}"}),
    (r"(?:fatal )?error TS\d{4}", _short, {"fatal error ts", "error ts"}),
    (r"x(?i)No Space(?m)$", _short, {"xno space"}),  # flags in the middle: Python refuses them there
    (r"[Ee]rrno 28", _short, {"errno 28"}),
    (r"(?:ab|cd)(?:ef|gh)", _short, {"abef", "abgh", "cdef", "cdgh"}),
    (r"(?:abcd)+x", _short, {"abcd"}),
    (r"(?i)\berror\b", _short, {f"{B}error{B}"}),  # a word edge is part of the string
    (r"\b(?:EIO|ENOSPC)\b", _short, {f"{B}eio{B}", f"{B}enospc{B}"}),  # a whole word may be three letters
    (r"\bab\b\bcd", _short, {f"{B}ab{B}cd"}),  # two edges in a row are one
])
def test_chosen_strings(regex, cost, expected):
    assert Literals(regex).choose(cost) == expected


@pytest.mark.parametrize("regex", [
    r"\s*[-dlcbps][-rwxsStT]{9}\+\s",  # classes and gaps only
    r"abc",  # shorter than MIN_BYTES
    r"\babc",  # ...and a word at one end only
    r"(?:abcd|x)",  # one way round it is too short
    r"abcd?",  # "abc" is all a match must hold
    r"\Qabc\E",  # RE2 syntax Python does not read
    r"error[[:digit:]]code",  # RE2 syntax Python reads otherwise (a set, then a literal "]")
])
def test_what_offers_nothing_useful(regex):
    assert Literals(regex).choose(_short) is None


def test_a_class_with_a_line_break_is_a_gap():
    assert Literals(r"[a\n]bcde[a\n]").choose(_short) == {"bcde"}


def _patterns() -> list[str]:
    kb = load_kb()
    return sorted({p.regex for p in kb.patterns()})


@pytest.mark.parametrize("regex", _patterns())
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_of_a_knowledge_base_pattern_holds_a_chosen_string(regex, data):
    """Strings generated to match the pattern (Python's reading of it, ASCII), kept where RE2
    agrees they match: each holds one of the chosen strings, under a cost that prefers short
    strings and one that prefers long ones."""
    engine = for_engine(regex)
    literals = Literals(f"(?:{engine})")
    try:
        python = re.compile(re.sub(r"\(\?[imsU]+\)", "", engine), re.I | re.M)
    except re.error:
        pytest.skip("Python cannot read this pattern; the walk offers nothing for it")
    text = data.draw(st.from_regex(python, alphabet=st.characters(min_codepoint=9, max_codepoint=126)))
    text = text.replace("\n", " ")
    found = compile_pattern(regex).search(text.encode())
    if found is None:
        return
    for cost in (_short, lambda s: float(len(s))):
        chosen = literals.choose(cost)
        if chosen is not None:
            assert any(_within(s, text, found.start(), found.end()) for s in chosen), (found.group(0), sorted(chosen))


def _within(chosen: str, text: str, start: int, end: int) -> bool:
    """Whether the chosen string (its word edges as `\\b`) occurs in text[start:end], its edges
    read in the whole text."""
    return any(start <= m.start() and m.end() <= end for m in re.finditer(expression(chosen), text, re.I | re.A))
