"""Every JSON output validates against the schema shipped in the package (`faultlens schema NAME`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from faultlens.resources import SCHEMAS, schema_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def faultlens(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faultlens", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def validate(name: str, doc) -> None:
    """Raises with the path into the document and the rule it broke."""
    Draft202012Validator(json.loads(schema_path(name).read_text())).validate(doc)


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    Draft202012Validator.check_schema(json.loads(schema_path(name).read_text()))


@pytest.mark.parametrize("name", SCHEMAS)
def test_faultlens_schema_prints_the_shipped_file(name):
    out = faultlens("schema", name)
    assert out.returncode == 0 and out.stdout == schema_path(name).read_text()


def test_an_unknown_schema_is_a_usage_error():
    out = faultlens("schema", "nosuch")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and out.stderr.startswith("faultlens: error: ")


@pytest.mark.parametrize("args, stdin, verdict", [
    ((str(SAMPLES / "floor-down"),), None, "explained"),
    ((str(SAMPLES / "baseline" / "failing"), "--baseline", str(SAMPLES / "baseline" / "passing")), None, "explained"),
    (("-",), "2026-11-25T01:00:00Z all steps done, 0 errors\n", "unexplained"),
    ((str(SAMPLES / "passing"),), None, "unexplained"),
])
def test_explain_json_follows_the_shipped_schema(args, stdin, verdict):
    out = faultlens("explain", "--format", "json", *args, stdin=stdin)
    doc = json.loads(out.stdout)
    validate("explain", doc)
    assert doc["verdict"] == verdict and out.returncode == (0 if verdict == "explained" else 1)
    assert "unusual_lines" in doc and "events" in doc and "hypotheses" in doc


def test_a_document_without_unusual_lines_or_with_a_bad_confidence_is_rejected():
    from jsonschema import ValidationError

    doc = json.loads(faultlens("explain", "--format", "json", str(SAMPLES / "floor-down")).stdout)
    without = {k: v for k, v in doc.items() if k != "unusual_lines"}
    with pytest.raises(ValidationError, match="'unusual_lines' is a required property"):
        validate("explain", without)
    doc["causes"][0]["confidence"] = 1.5
    with pytest.raises(ValidationError, match="1.5 is greater than the maximum of 1"):
        validate("explain", doc)


@pytest.mark.parametrize("package, result", [("base-4.2.0-umask077.tar.gz", "fail"), ("base-4.2.0-umask022.tar.gz", "pass")])
def test_check_json_follows_the_shipped_schema(package, result):
    out = faultlens("check", str(SAMPLES / "packages" / package), "--user", "tester", "--group", "tester", "--format", "json")
    doc = json.loads(out.stdout)
    validate("check", doc)
    assert doc["result"] == result


def test_kb_list_json_follows_the_shipped_schema():
    doc = json.loads(faultlens("kb", "list", "--format", "json").stdout)
    validate("kb-list", doc)
    assert "umask-restrictive-package" in {c["id"] for c in doc["causes"]}


def test_report_summary_follows_the_shipped_schema(tmp_path):
    out = faultlens("report", str(SAMPLES / "floor-night"), "--out", str(tmp_path / "night"), "-j", "1")
    # samples/floor-night holds one run that cannot be read (a truncated .tgz): report exits 1
    assert out.returncode == 1 and "1 of 40 runs could not be read" in out.stderr, out.stderr
    summary = json.loads((tmp_path / "night" / "summary.json").read_text())
    validate("report", summary)
    assert summary["clusters"] and summary["totals"]["runs"] == 40
