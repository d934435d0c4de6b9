"""Driving a one-line grammar over a file: each line parsed, each failure a problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from faultlens.model import Problem
from faultlens.parse.grammar import grammar, parse_errors

MAX_PROBLEMS_LISTED = 20


def parsed_lines(text: str, source: str, grammar_name: str, transformer_cls: type, problems: list[Problem],
                 skip: Callable[[str], bool] | None = None) -> Iterator[tuple[int, str, object]]:
    """Yield (line number, line, transformed value) for every line the grammar accepts.

    Lines it rejects become problems (the first few listed one by one, then a count).
    """
    parse = grammar(grammar_name).parse
    transform = transformer_cls().transform
    errors = parse_errors()
    rejected = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or (skip and skip(line)):
            continue
        try:
            value = transform(parse(line))
        except errors:
            rejected += 1
            if rejected <= MAX_PROBLEMS_LISTED:
                problems.append(Problem(source, f"line not understood as {grammar_name} output: {_clip(line)}", number))
            continue
        yield number, line, value
    if rejected > MAX_PROBLEMS_LISTED:
        problems.append(Problem(source, f"{rejected - MAX_PROBLEMS_LISTED} more lines not understood as {grammar_name} output"))


def _clip(line: str, width: int = 80) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"
