"""Knowledge-base patterns (RE2) as POSIX extended regular expressions, for `grep -E -f` / `rg -f`.

The knowledge base keeps to a portable subset of RE2: groups, classes, quantifiers, `\\d \\s \\S
\\w \\b`, and case-insensitive scopes written `(?i)`. ERE has no inline flags, so letters in an
`(?i)` scope become bracket pairs (`a` -> `[aA]`); `(?:` becomes `(`; `\\b` is kept (GNU grep and
ripgrep both know it). Lines never hold a newline, so `[^\\n]` is any character.
"""

from __future__ import annotations

from faultlens.kb.patterns import for_engine

_CLASS_ESCAPES = {"d": "0-9", "s": "[:space:]", "w": "[:alnum:]_", "n": "", "t": "\t"}
_ESCAPES = {"d": "[0-9]", "s": "[[:space:]]", "S": "[^[:space:]]", "w": "[[:alnum:]_]", "W": "[^[:alnum:]_]",
            "t": "\t", "b": "\\b"}


class NotPortable(ValueError):
    pass


def to_ere(regex: str) -> str:
    """The pattern as run by faultlens (CI prefixes admitted at ^) in ERE syntax."""
    return _convert(for_engine(regex))


def _convert(rx: str) -> str:
    out: list[str] = []
    scopes = [False]  # case-insensitive, per open group
    i, n = 0, len(rx)
    while i < n:
        ch = rx[i]
        if rx.startswith("(?i)", i):
            scopes[-1] = True
            i += 4
        elif rx.startswith("(?m)", i) or rx.startswith("(?s)", i):
            i += 4
        elif rx.startswith("(?i:", i):
            out.append("(")
            scopes.append(True)
            i += 4
        elif rx.startswith("(?:", i):
            out.append("(")
            scopes.append(scopes[-1])
            i += 3
        elif rx.startswith("(?", i):
            raise NotPortable(f"group syntax {rx[i:i + 4]!r} has no ERE form")
        elif ch == "(":
            out.append("(")
            scopes.append(scopes[-1])
            i += 1
        elif ch == ")":
            out.append(")")
            if len(scopes) > 1:
                scopes.pop()
            i += 1
        elif ch == "\\":
            nxt = rx[i + 1:i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt.isalnum():
                raise NotPortable(f"escape \\{nxt} has no ERE form")
            else:
                out.append("\\" + nxt)
            i += 2
        elif ch == "[":
            cls, i = _class(rx, i, scopes[-1])
            out.append(cls)
        elif ch.isalpha() and scopes[-1] and ch.lower() != ch.upper():
            out.append(f"[{ch.lower()}{ch.upper()}]")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _class(rx: str, i: int, fold: bool) -> tuple[str, int]:
    """Translate the character class starting at rx[i] == '['; return it and the index after."""
    j = i + 1
    negate = rx[j:j + 1] == "^"
    if negate:
        j += 1
    items: list[str] = []
    bracket = dash = False  # a literal ] must come first in ERE, a literal - last
    first = True
    while j < len(rx) and (rx[j] != "]" or first):
        first = False
        if rx[j] == "\\":
            nxt = rx[j + 1:j + 2]
            if nxt in _CLASS_ESCAPES:
                items.append(_CLASS_ESCAPES[nxt])
            elif nxt.isalnum():
                raise NotPortable(f"escape \\{nxt} inside a class has no ERE form")
            elif nxt == "]":
                bracket = True
            elif nxt == "-":
                dash = True
            else:
                items.append(nxt)
            j += 2
        elif rx[j] == "-":
            dash = True
            j += 1
        elif rx[j + 1:j + 2] == "-" and rx[j + 2:j + 3] not in ("]", ""):
            lo, hi = rx[j], rx[j + 2]
            items.append(f"{lo}-{hi}")
            if fold and lo.isalpha() and hi.isalpha():
                items.append(f"{lo.swapcase()}-{hi.swapcase()}")
            j += 3
        else:
            c = rx[j]
            items.append(c)
            if fold and c.isalpha() and c.swapcase() != c:
                items.append(c.swapcase())
            j += 1
    body = ("]" if bracket else "") + "".join(items) + ("-" if dash else "")
    if negate and body == "":
        return ".", j + 1  # [^\n]: any character on a line
    return f"[{'^' if negate else ''}{body}]", j + 1
