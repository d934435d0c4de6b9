"""The records that flow through faultlens: bytes -> records -> facts -> findings.

Every type here is a frozen struct: stages hand data on, they never mutate it. Structs
(msgspec) rather than dataclasses: Python 3.11 compiles six methods for every frozen dataclass
at each start, which cost the explain path 30-50 ms before it read a byte.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

FileType = Literal["file", "dir", "symlink", "hardlink", "char", "block", "fifo", "socket", "other"]
Access = Literal["r", "w", "x"]


class Location(Struct, frozen=True):
    """Where a piece of evidence came from: input name and 1-based line."""

    source: str
    line: int | None = None


class FileEntry(Struct, frozen=True):
    """One file as a snapshot (listing, stat, tar index...) describes it."""

    path: str
    type: FileType
    mode: int  # permission bits incl. setuid/setgid/sticky (07777)
    owner: str | None = None
    group: str | None = None
    size: int | None = None
    link_target: str | None = None
    mtime: str | None = None  # as printed; listings rarely carry a year
    at: Location | None = None
    raw: str = ""
    # What the listing could tell beyond the classic columns (all optional: old code keeps working).
    acl: bool = False  # a `+` after the mode: an access ACL adds entries the mode bits do not show
    context: str | None = None  # SELinux label (`ls -Z`, stat's Context:); "?" when ls had none
    device: tuple[int, int] | None = None  # (major, minor) of a char/block device
    size_text: str | None = None  # a size printed rounded (`-h`: "1.2K", "0B"); `size` stays None
    # `mode_known=False`: the listing names the file but not its permissions (`ls -Z` without -l,
    # or the `d????????? ? ? ? ? ? name` entries). `mode` is then 0: it grants nothing, so a fact can
    # never read access into it; facts that conclude from bits alone must check `mode_known` first.
    mode_known: bool = True
    # ls printed `?????????` for it: the name was read from its directory but stat() failed, which
    # is what ls shows in a directory it may read (r) but not search (x). Its type may still be known.
    unstatable: bool = False


class Identity(Struct, frozen=True):
    """An account as `id` prints it."""

    user: str
    uid: int | None = None
    group: str | None = None
    gid: int | None = None
    groups: tuple[str, ...] = ()
    at: Location | None = None
    group_ids: tuple[int, ...] = ()  # the gids of `groups`, in the same order, where id printed them


class UmaskSetting(Struct, frozen=True):
    """A umask as `umask` / `umask -S` printed it."""

    value: int
    at: Location | None = None


class Problem(Struct, frozen=True):
    """Something in an input that could not be read or understood."""

    source: str
    reason: str
    line: int | None = None


class InputInfo(Struct, frozen=True):
    source: str
    kind: str  # log | snapshot | metadata | skipped
    format: str
    lines: int
    problems: tuple[Problem, ...] = ()


class Evidence(Struct, frozen=True):
    source: str
    line: int | None
    text: str  # the line, or the whole stack trace it belongs to
    signal: str
    context: str | None = None  # e.g. the test case of a JUnit failure


class Event(Struct, frozen=True):
    """A failed operation as a log line tells it, whatever ecosystem printed it (events/)."""

    op: str | None  # open, create, mkdir, rename, lock, exec, stat, chdir, connect, bind, resolve, fork, watch...
    errno: str | None  # EACCES, ENOENT, ENOSPC... (Linux names)
    object: str | None  # the path, host, package or unit it was about
    speaker: str | None  # the family of the tool that printed it (python, go, nginx as webserver...)
    source: str
    line: int | None
    text: str


class Fact(Struct, frozen=True):
    """A named conclusion drawn from the snapshot (and log paths), with its proof.

    `strength` in [0, 1] says how fully the fact holds (e.g. the share of a release's files that
    the service user cannot read); causes weigh facts by it.
    """

    name: str
    strength: float
    summary: str
    evidence: tuple[Evidence, ...] = ()
    next_steps: tuple[str, ...] = ()


class Hypothesis(Struct, frozen=True):
    """What could still be behind a failure the evidence does not settle, and how to tell."""

    id: str  # the catalog cause it would be
    title: str
    why: str
    check: str  # the command that tells it apart


class RunbookRef(Struct, frozen=True):
    id: str
    title: str
    path: str


class Finding(Struct, frozen=True):
    """One cause, scored, with the evidence that supports it."""

    id: str
    title: str
    category: str
    confidence: float
    summary: str
    evidence: tuple[Evidence, ...]
    runbook: RunbookRef | None
    next_steps: tuple[str, ...]
    against: tuple[Evidence, ...] = ()


class UnusualLine(Struct, frozen=True):
    source: str
    line: int
    text: str
    score: float


class ServiceAccount(Struct, frozen=True):
    """Who the test software runs as, and how we know."""

    name: str | None
    how: str  # "given with --user", "inferred from id output in x", ...
    groups: tuple[str, ...] = ()


class BaselineReport(Struct, frozen=True):
    """What is new in the failing run compared with a passing one."""

    sources: tuple[str, ...]
    new_lines: tuple[UnusualLine, ...]  # error-like lines whose template the passing run lacks
    changes: tuple[tuple[str, int], ...]  # (summary, how many entries) of snapshot differences
    hits_seen_before: int  # log lines matching a signal that the passing run had too (not evidence)


SHOW_UNUSUAL_BELOW = 0.9  # a top cause below this does not hide the lines that stand out


class Explanation(Struct, frozen=True):
    verdict: Literal["explained", "unexplained"]
    findings: tuple[Finding, ...]
    inputs: tuple[InputInfo, ...]
    unusual_lines: tuple[UnusualLine, ...]
    account: ServiceAccount
    kb_causes: int
    kb_version: str
    facts: tuple[Fact, ...] = ()
    baseline: BaselineReport | None = None
    events: tuple[Event, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()

    @property
    def shows_unusual(self) -> bool:
        """Are the lines that stand out shown beside the causes (always in JSON)?"""
        return bool(self.unusual_lines) and (not self.findings or self.findings[0].confidence < SHOW_UNUSUAL_BELOW)
