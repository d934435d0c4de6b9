"""Lark grammars from grammars/, compiled once per process."""

from __future__ import annotations

from functools import cache

from faultlens.resources import data_dir


@cache
def grammar(name: str, transformer_cls: type | None = None):
    """An LALR parser for grammars/<name>.lark (one line of input per parse).

    With a transformer class, the transformer runs inside the parser (no tree is built)."""
    from lark import Lark

    path = data_dir("grammars") / f"{name}.lark"
    return Lark.open(str(path), parser="lalr", lexer="contextual", maybe_placeholders=False,
                     transformer=transformer_cls() if transformer_cls else None)


def parse_errors():
    """The exception types a grammar raises on input it does not accept."""
    from lark.exceptions import LarkError

    return (LarkError,)
