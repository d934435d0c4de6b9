"""A team's knowledge base without flags: FAULTLENS_KB and config files, found the usual way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faultlens.config import ConfigError, KbFolder, kb_folders


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """project/ with sub/ inside, and kb folders beside; a home with a user config folder."""
    for d in ("project/sub", "project/our-kb", "team-kb", "other-kb", "home/.config/faultlens", "xdg/faultlens"):
        (tmp_path / d).mkdir(parents=True)
    return tmp_path


def folders(tree: Path, cwd: str, env: dict | None = None, given=()) -> list[KbFolder]:
    return kb_folders(given, cwd=tree / cwd, environ={"HOME": str(tree / "home"), **(env or {})})


def test_faultlens_toml_in_a_parent_folder_with_paths_relative_to_it(tree: Path):
    (tree / "project" / "faultlens.toml").write_text('kb = ["./our-kb", "../team-kb"]\n')
    assert folders(tree, "project/sub") == [KbFolder(str(tree / "project" / "our-kb"), str(tree / "project" / "faultlens.toml")),
                                            KbFolder(str(tree / "team-kb"), str(tree / "project" / "faultlens.toml"))]


def test_tool_faultlens_in_pyproject(tree: Path):
    (tree / "project" / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.faultlens]\nkb = ["our-kb"]\n')
    assert folders(tree, "project/sub") == [KbFolder(str(tree / "project" / "our-kb"), str(tree / "project" / "pyproject.toml"))]


def test_a_pyproject_without_the_table_ends_the_search_and_the_user_config_applies(tree: Path):
    (tree / "faultlens.toml").write_text('kb = ["team-kb"]\n')  # above the project: not this project's
    (tree / "project" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tree / "home" / ".config" / "faultlens" / "config.toml").write_text(f'kb = ["{tree / "other-kb"}"]\n')
    assert folders(tree, "project/sub") == [KbFolder(str(tree / "other-kb"), str(tree / "home" / ".config" / "faultlens" / "config.toml"))]


def test_xdg_config_home_is_honoured(tree: Path):
    (tree / "home" / ".config" / "faultlens" / "config.toml").write_text('kb = ["/nowhere"]\n')
    (tree / "xdg" / "faultlens" / "config.toml").write_text('kb = ["../../team-kb"]\n')
    got = folders(tree, "project", {"XDG_CONFIG_HOME": str(tree / "xdg")})
    assert got == [KbFolder(str(tree / "team-kb"), str(tree / "xdg" / "faultlens" / "config.toml"))]


def test_order_is_config_then_environment_then_flags(tree: Path):
    (tree / "project" / "faultlens.toml").write_text('kb = "our-kb"\n')
    env = {"FAULTLENS_KB": os.pathsep.join([str(tree / "team-kb"), "", "../other-kb"])}
    got = folders(tree, "project", env, given=["/given"])
    assert got == [KbFolder(str(tree / "project" / "our-kb"), str(tree / "project" / "faultlens.toml")),
                   KbFolder(str(tree / "team-kb"), "FAULTLENS_KB"),
                   KbFolder(str(tree / "project" / "../other-kb"), "FAULTLENS_KB"),
                   KbFolder("/given", "--kb")]


@pytest.mark.parametrize("text, message", [
    ('kb = ["./our-kb"\n', "invalid TOML"),
    ('kbs = ["./our-kb"]\n', "unknown setting 'kbs' (known: kb)"),
    ("kb = 3\n", "kb must be a list of folder paths"),
    ('kb = ["./missing"]\n', "missing: knowledge-base folder not found (named in "),
])
def test_a_bad_config_file_is_one_clear_error(tree: Path, text: str, message: str):
    (tree / "project" / "faultlens.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        folders(tree, "project")


def test_a_missing_folder_in_the_environment_names_the_variable(tree: Path):
    with pytest.raises(ConfigError, match="^/no/kb: knowledge-base folder not found \\(named in FAULTLENS_KB\\)$"):
        folders(tree, "project", {"FAULTLENS_KB": "/no/kb"})
