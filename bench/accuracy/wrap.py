"""A failure's lines as a whole log in one of eight formats, embedded in noise.

The noise is given by the caller: lines of real passing logs for the real-first tables
(corpus.noise_pool), the old templates for the synthetic table. Every wrapper carries the noise,
JUnit and pytest included (captured output, passing tests' logs).
"""

from __future__ import annotations

import json
import random
from html import escape as xml_escape


def _clock(rng: random.Random, count: int) -> list[str]:
    start = rng.randint(0, 20 * 3600)
    return [f"{(start + 3 * i) // 3600 % 24:02d}:{(start + 3 * i) // 60 % 60:02d}:{(start + 3 * i) % 60:02d}"
            for i in range(count)]


def plain(rng, before, lines, after):
    times = _clock(rng, len(before) + len(after))
    head = [f"2026-11-25 {t},{rng.randint(0, 999):03d} {ln}" for t, ln in zip(times, before)]
    tail = [f"2026-11-25 {t},{rng.randint(0, 999):03d} {ln}" for t, ln in zip(times[len(before):], after)]
    return "\n".join(head + list(lines) + tail) + "\n"


def syslog(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after))
    body = [f"executive[1187]: {ln}" for ln in before] + [
        ln if ln.split(":", 1)[0].endswith("]") else f"app[2210]: {ln}" for ln in lines] + [
        f"station-agent[902]: {ln}" for ln in after]
    return "\n".join(f"Nov 25 {t} station-07 {ln}" for t, ln in zip(times, body)) + "\n"


def journald(rng, before, lines, after):
    base = 1764040000 * 10**6
    entries = []
    for i, (unit, msg) in enumerate([("ts-executive.service", ln) for ln in before] + [("kernel", ln) for ln in lines]
                                    + [("station-agent.service", ln) for ln in after]):
        entry = {"__REALTIME_TIMESTAMP": str(base + i * 1_000_000), "PRIORITY": "6", "MESSAGE": msg}
        entry["SYSLOG_IDENTIFIER" if unit == "kernel" else "_SYSTEMD_UNIT"] = unit
        entries.append(json.dumps(entry))
    return "\n".join(entries) + "\n"


def junit(rng, before, lines, after):
    cases = [f'    <testcase classname="station.Suite" name="test_{i}" time="0.{rng.randint(1, 9)}"/>'
             for i in range(rng.randint(10, 40))]
    failure = (f'    <testcase classname="station.Suite" name="test_failing" time="0.3">\n'
               f'      <failure message="{xml_escape(lines[0])}" type="Failure">'
               + xml_escape("\n".join(lines)) + "</failure>\n"
               f"      <system-out>{xml_escape(chr(10).join(before[-40:] + after))}</system-out>\n    </testcase>")
    cases.insert(rng.randint(0, len(cases)), failure)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="station.Suite" tests="%d" failures="1">\n'
            % len(cases) + "\n".join(cases) + "\n</testsuite>\n")


def gha(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after))
    body = ["##[group]Run ./ci/station-tests.sh"] + before + list(lines) + after + ["##[endgroup]"]
    return "\n".join(f"2024-05-02T{t}.{rng.randint(10**6, 10**7 - 1)}Z {ln}"
                     for t, ln in zip(times + times[-1:] * 2, body)) + "\n"


def jenkins(rng, before, lines, after):
    times = _clock(rng, len(before) + len(lines) + len(after) + 2)
    body = ["Started by timer", "Running as SYSTEM"] + before + list(lines) + after
    return "\n".join(f"[{t}] {ln}" for t, ln in zip(times, body)) + "\n[" + times[-1] + "] Finished: FAILURE\n"


def pytest(rng, before, lines, after):
    passed = [f"tests/test_station.py::test_{i} PASSED" for i in range(rng.randint(10, 60))]
    captured = ["----------------------------- Captured log call ------------------------------", *before[-30:]]
    failing = ["", "=================================== FAILURES ===================================",
               "_________________________________ test_failing _________________________________",
               "    def test_failing():", ">       run_step()", *[f"E       {ln}" for ln in lines], *captured, *after,
               "=========================== short test summary info ============================",
               f"FAILED tests/test_station.py::test_failing - {lines[-1][:200]}",
               f"========================= 1 failed, {len(passed)} passed in 4.20s ========================="]
    return "\n".join(["============================= test session starts ==============================",
                      f"collected {len(passed) + 1} items", *passed, *failing]) + "\n"


def traceback(rng, before, lines, after):
    frames = ["Traceback (most recent call last):", '  File "/opt/ts/current/python/tsrun/runner.py", line 212, in run',
              "    result = step.execute(dut)", '  File "/opt/ts/current/python/tsrun/steps.py", line 88, in execute',
              "    return self._call()"]
    return plain(rng, before, frames + list(lines), after)


FORMATS = {"plain": plain, "syslog": syslog, "journald": journald, "junit": junit, "gha": gha,
           "jenkins": jenkins, "pytest": pytest, "traceback": traceback}


def wrap(fmt: str, rng: random.Random, noise, lines: list[str], extra: str | None = None) -> tuple[str, str]:
    """(file name, text): lines in format fmt between noise drawn from `noise` (a sequence of
    lines or a function of rng); `extra` is one more line placed at random in the noise."""
    draw = noise if callable(noise) else (lambda r: r.choice(noise))
    before = [draw(rng) for _ in range(rng.randint(60, 200))]
    after = [draw(rng) for _ in range(rng.randint(2, 12))]
    if extra is not None:
        before.insert(rng.randint(0, len(before)), extra)
    name = {"junit": "TEST-results.xml", "journald": "journal.json"}.get(fmt, f"{fmt}.log")
    return name, FORMATS[fmt](rng, before, lines, after)
