"""The wheel carries grammars, runbooks and the knowledge base: it works without the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("faultlens-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    return target


def test_wheel_contains_the_data(installed_wheel: Path):
    pkg = installed_wheel / "faultlens"
    assert (pkg / "grammars" / "ls.lark").is_file()
    assert (pkg / "runbooks" / "umask-restrictive-package.md").is_file()
    assert (pkg / "kb" / "causes" / "umask-restrictive-package.yaml").is_file()


def test_installed_wheel_explains_the_flagship_without_the_source_tree(installed_wheel: Path, tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(installed_wheel)}
    probe = subprocess.run([sys.executable, "-c", "import faultlens, faultlens.resources as r; "
                            "print(faultlens.__file__); print(r.data_dir('grammars'))"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    module, grammars = probe.stdout.split()
    assert module.startswith(str(installed_wheel)) and grammars.startswith(str(installed_wheel))
    out = subprocess.run([sys.executable, "-m", "faultlens", "explain", "--format", "json",
                          str(ROOT / "samples" / "floor-down")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["causes"][0]["id"] == "umask-restrictive-package"


@pytest.mark.parametrize("name", ["explain", "check", "report", "kb-list"])
def test_the_installed_wheel_prints_its_json_schemas(installed_wheel: Path, tmp_path: Path, name: str):
    env = {**os.environ, "PYTHONPATH": str(installed_wheel)}
    out = subprocess.run([sys.executable, "-m", "faultlens", "schema", name], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == (installed_wheel / "faultlens" / "schemas" / f"{name}.schema.json").read_text()
    assert json.loads(out.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
