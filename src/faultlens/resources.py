"""Where the shipped data lives: inside the installed package, or in the source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`grammars` or `runbooks`: packaged copy in a wheel, the repository's folder in a checkout."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    source_tree = _PACKAGE.parent.parent / name
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(f"faultlens data folder {name!r} is missing from the installation")


def package_dir() -> Path:
    """The installed package's own folder (data files that live beside the code)."""
    return _PACKAGE


def causes_dir() -> Path:
    return _PACKAGE / "kb" / "causes"


SCHEMAS = ("explain", "check", "report", "kb-list")


def schema_path(name: str) -> Path:
    """The JSON Schema of a command's JSON output (`report`: its summary.json)."""
    return _PACKAGE / "schemas" / f"{name}.schema.json"


def schema_text(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")
