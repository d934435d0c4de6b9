"""`check`'s CI formats: GitHub workflow annotations, JUnit (skipped and time), SARIF 2.1.0, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from builders import PROGRAM, SCRIPT, Member, tar_bytes
from faultlens.check.rules import ALL_CHECKS, RULES

ROOT = Path(__file__).resolve().parents[2]
NOBODY = ("--user", "nobody", "--group", "nogroup")
TOOLS = Path(os.environ.get("FAULTLENS_TEST_TOOLS", Path.home() / ".cache" / "faultlens-test"))  # get-sarif-tools.sh


def faultlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    """A tarball with one script without x whose name holds every character annotations escape."""
    path = tmp_path / "rel,1:0%.tar"
    path.write_bytes(tar_bytes([Member("bin", "dir", 0o755), Member("bin/a,b:c%d\nx.sh", mode=0o644, body=SCRIPT),
                                Member("bin/prog", mode=0o755, body=PROGRAM), Member("etc", "dir", 0o700)], prefix=""))
    return path


def test_every_check_is_answered_by_exactly_one_rule():
    answered = [c for checks, _ in RULES for c in checks]
    assert sorted(answered) == sorted(ALL_CHECKS) and len(answered) == len(set(answered))


def test_github_annotations_are_escaped(release: Path):
    out = faultlens("check", str(release), *NOBODY, "--format", "github")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    file = str(release).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert lines[0] == (f"::error file={file},title=faultlens check%3A untraversable::1 directory nobody cannot enter "
                        "(1 x 0700 root:root)%0A0700 root:root etc%0Afix: chmod a+rx these directories (or give the group "
                        "access), or build under umask 022")
    assert lines[1].startswith(f"::error file={file},title=faultlens check%3A exec-bit::1 file: ")
    assert "%0A0644 root:root bin/a,b:c%25d\\nx.sh%0Afix: " in lines[1]  # the name's LF shown, not obeyed
    assert lines[-1] == f"::notice title=faultlens check::{str(release).replace('%', '%25')} (tarball, 4 entries) for nobody: would fail"
    assert len(lines) == 3


def test_github_annotation_points_at_the_listing_line(tmp_path: Path):
    listing = tmp_path / "ls.txt"
    listing.write_text("755 root root /opt/r\n644 root root /opt/r/ok.cfg\n600 jdoe jdoe /opt/r/station.cfg\n")
    out = faultlens("check", str(listing), *NOBODY, "--format", "github")
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith(f"::error file={listing},line=3,title=faultlens check%3A unreadable::")


def test_junit_reports_checks_a_listing_cannot_run_as_skipped_with_times(tmp_path: Path):
    listing = tmp_path / "ls.txt"
    listing.write_text("755 root root /opt/r\n600 jdoe jdoe /opt/r/station.cfg\n")
    out = faultlens("check", str(listing), *NOBODY, "--format", "junit")
    suite = ET.fromstring(out.stdout)
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    skipped = {n for n, c in cases.items() if c.find("skipped") is not None}
    assert skipped == {"crlf", "script-not-executable"} and suite.get("skipped") == "2"
    assert cases["crlf"].find("skipped").get("message") == "a listing holds no file contents (no shebang line to look at)"
    assert {n for n, c in cases.items() if c.find("failure") is not None} == {"unreadable"} and suite.get("failures") == "1"
    assert list(cases) == list(ALL_CHECKS) and suite.get("tests") == str(len(ALL_CHECKS))
    assert all(float(c.get("time")) >= 0 for c in cases.values()) and float(suite.get("time")) >= 0


def test_junit_on_a_package_skips_nothing(release: Path):
    suite = ET.fromstring(faultlens("check", str(release), *NOBODY, "--format", "junit").stdout)
    assert suite.get("skipped") == "0" and not list(suite.iter("skipped"))
    assert {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None} == {"untraversable", "exec-bit"}


def test_json_lists_every_entry_with_its_content(release: Path):
    doc = json.loads(faultlens("check", str(release), *NOBODY, "--format", "json").stdout)
    assert [(e["path"], e["mode"], e["content"]) for e in doc["entries"]] == [
        ("bin", "0755", None), ("bin/a,b:c%d\nx.sh", "0644", "script"), ("bin/prog", "0755", "elf-exec"), ("etc", "0700", None)]
    assert doc["entries_checked"] == len(doc["entries"]) and doc["skipped"] == []


def _sarif(release: Path) -> dict:
    out = faultlens("check", str(release), *NOBODY, "--format", "sarif")
    assert out.returncode == 1
    return json.loads(out.stdout)


def test_sarif_results_name_the_rule_level_and_member(release: Path):
    doc = _sarif(release)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(ALL_CHECKS)
    got = [(r["ruleId"], r["level"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in run["results"]]
    assert got == [("untraversable", "error", "etc"), ("exec-bit", "error", "bin/a,b:c%d\nx.sh")]
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/rel%2C1%3A0%25.tar")
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


@pytest.mark.skipif(not (TOOLS / "sarif-2.1.0.json").exists(), reason="no SARIF schema: run tests/check/get-sarif-tools.sh")
def test_sarif_is_valid_against_the_sarif_2_1_0_schema(release: Path, tmp_path: Path):
    import jsonschema

    schema = json.loads((TOOLS / "sarif-2.1.0.json").read_text())
    jsonschema.validate(_sarif(release), schema)
    listing = tmp_path / "ls.txt"
    listing.write_text("755 root root /opt/r\n600 jdoe jdoe /opt/r/station.cfg\n")
    jsonschema.validate(json.loads(faultlens("check", str(listing), *NOBODY, "--format", "sarif").stdout), schema)


@pytest.mark.skipif(not (TOOLS / "sarif-multitool" / "Sarif.Multitool").exists(),
                    reason="no SARIF Multitool: run tests/check/get-sarif-tools.sh")
def test_sarif_multitool_validates_it(release: Path, tmp_path: Path):
    log = tmp_path / "check.sarif"
    log.write_text(json.dumps(_sarif(release)))
    out = subprocess.run([str(TOOLS / "sarif-multitool" / "Sarif.Multitool"), "validate", str(log)],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Analysis completed successfully" in out.stdout
