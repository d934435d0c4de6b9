"""Where a team's knowledge base comes from when nobody types --kb.

Folders are taken, in this order (a later folder overrides an earlier one's causes by id):

1. the config file: the nearest `faultlens.toml` in the current folder or its parents, or
   `[tool.faultlens]` in the nearest `pyproject.toml` (the search stops at the first folder that
   holds either); else `$XDG_CONFIG_HOME/faultlens/config.toml` (`~/.config/...`). One key:
   `kb = ["./our-kb"]`, paths relative to the file;
2. `FAULTLENS_KB`: folders separated by os.pathsep (`:` on POSIX), relative to the current folder;
3. `--kb DIR` options, as given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from msgspec import Struct

ENV_KB = "FAULTLENS_KB"
PROJECT_FILE = "faultlens.toml"
KEYS = ("kb",)


class ConfigError(Exception):
    """A config file or FAULTLENS_KB is wrong; the message names the file (and line) or the variable."""


class KbFolder(Struct, frozen=True):
    path: str  # as it will be loaded: absolute for config files, as given otherwise
    origin: str  # "shipped", "--kb", "FAULTLENS_KB" or the config file's path


def config_file(cwd: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> tuple[Path, dict] | None:
    """The config file in effect and its faultlens settings, or None."""
    environ = os.environ if environ is None else environ
    here = Path(cwd or os.getcwd()).absolute()
    for folder in (here, *here.parents):
        own = folder / PROJECT_FILE
        if own.is_file():
            return own, _settings(own, _toml(own))
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _toml(project).get("tool", {}).get("faultlens")
            if table is not None:
                return project, _settings(project, table, "[tool.faultlens] ")
            break  # a project's root: a faultlens.toml above it belongs to something else
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    user = Path(base) / "faultlens" / "config.toml"
    if user.is_file():
        return user, _settings(user, _toml(user))
    return None


def kb_folders(given: Sequence[str] = (), cwd: str | os.PathLike | None = None,
               environ: Mapping[str, str] | None = None) -> list[KbFolder]:
    """The extra knowledge-base folders in effect (not the shipped one), in load order."""
    environ = os.environ if environ is None else environ
    out: list[KbFolder] = []
    found = config_file(cwd, environ)
    if found is not None:
        path, settings = found
        for entry in settings.get("kb", ()):
            folder = path.parent / os.path.expanduser(entry)
            out.append(_existing(KbFolder(os.path.normpath(folder), str(path))))
    for entry in (environ.get(ENV_KB) or "").split(os.pathsep):
        if entry:
            entry = os.path.expanduser(entry)
            out.append(_existing(KbFolder(entry if cwd is None else os.path.join(cwd, entry), ENV_KB)))
    out += [KbFolder(d, "--kb") for d in given]  # the loader names a missing one
    return out


def _existing(folder: KbFolder) -> KbFolder:
    if not os.path.isdir(folder.path):
        raise ConfigError(f"{folder.path}: knowledge-base folder not found (named in {folder.origin})")
    return folder


def _toml(path: Path) -> dict:
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def _settings(path: Path, table, prefix: str = "") -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix or 'faultlens settings '}must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: {prefix}unknown setting {unknown[0]!r} (known: {', '.join(KEYS)})")
    kb = table.get("kb", [])
    if isinstance(kb, str):
        kb = [kb]
    if not isinstance(kb, list) or not all(isinstance(k, str) and k for k in kb):
        raise ConfigError(f"{path}: {prefix}kb must be a list of folder paths, like kb = [\"./our-kb\"]")
    return {"kb": kb}
