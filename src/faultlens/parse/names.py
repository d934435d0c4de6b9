r"""File names as listing tools print them, back to the names themselves.

    find -ls:    my\ file  caf\303\251          -> "my file", "café"
    GNU tar -tv: a\tb  new\nline  back\\slash   -> tab, newline, backslash
    ls (shell quoting, the default on a terminal): 'a b'  "it's"  'nl'$'\n''x'
    /proc/mounts, mountinfo, getfacl: \040 for a space
"""

from __future__ import annotations

_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "e": "\x1b"}


def c_unescape(text: str) -> str:
    """Backslash escapes (C style, octal bytes as UTF-8) decoded; a backslash before any other
    character stands for that character (`\\ ` is a space)."""
    if "\\" not in text:
        return text
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "\\" or i + 1 == n:
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in "01234567":
            j = i + 1
            while j < n and j < i + 4 and text[j] in "01234567":
                j += 1
            out.append(int(text[i + 1:j], 8) & 0xFF)
            i = j
            continue
        if nxt == "x" and i + 3 < n + 1 and all(c in "0123456789abcdefABCDEF" for c in text[i + 2:i + 4]) \
                and len(text[i + 2:i + 4]) == 2:
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        out += _SIMPLE.get(nxt, nxt).encode("utf-8", "surrogatepass")
        i += 2
    return out.decode("utf-8", "backslashreplace")


def shell_word(text: str) -> tuple[str, str] | None:
    """The first shell-quoted word of text and what follows it, or None when text does not start
    with a quoted word (then it is printed literally)."""
    if not text.startswith(("'", '"', "$'")):
        return None
    out: list[str] = []
    i, n = 0, len(text)
    while i < n and text[i] not in " \t":
        if text.startswith("$'", i):
            end = i + 2
            while end < n and text[end] != "'":
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                return None
            out.append(c_unescape(text[i + 2:end]))
            i = end + 1
        elif text[i] == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            out.append(text[i + 1:end])
            i = end + 1
        elif text[i] == '"':
            end = i + 1
            chunk = []
            while end < n and text[end] != '"':
                if text[end] == "\\" and end + 1 < n and text[end + 1] in '"\\$`':
                    end += 1
                chunk.append(text[end])
                end += 1
            if end >= n:
                return None
            out.append("".join(chunk))
            i = end + 1
        elif text[i] == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), text[i:]


def octal_unescape(text: str) -> str:
    """`\\040`-style escapes only (the kernel's mount tables, getfacl)."""
    return c_unescape(text) if "\\" in text else text
