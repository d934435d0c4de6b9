"""`faultlens collect`: gather what `explain` needs from a failing host into one tarball.

The collector is a POSIX sh script: `faultlens collect --script` prints it for hosts without
faultlens, and `faultlens collect` runs the very same script, so the two cannot drift apart.
It lists only the given paths, copies only the given logs (the last MAX bytes of each), and runs
only the commands in COMMANDS; everything it writes goes to a temporary folder that is removed,
and the bundle appears under its final name only when complete.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

from faultlens import __version__
from faultlens.ingest.sources import InputError

MANIFEST = "faultlens-manifest.txt"
DEFAULT_MAX_LOG_BYTES = 20 << 20
DEFAULT_SINCE = "2 hours ago"

# (file in the bundle, command). "$SERVICE_USER", "$SINCE" and "$MAX" are set by the script.
COMMANDS = (
    ("host/id.txt", 'id "$SERVICE_USER"'),
    ("host/umask.txt", "umask"),
    ("host/df.txt", "df -P"),
    ("host/df-inodes.txt", "df -Pi"),
    ("host/journal.txt", 'journalctl --no-pager -q --since "$SINCE" | tail -c "$MAX"'),
    ("host/kernel.txt", 'dmesg 2>/dev/null | tail -c "$MAX" || journalctl -k --no-pager -q --since "$SINCE" | tail -c "$MAX"'),
)
SYSLOGS = ("/var/log/syslog", "/var/log/messages")

_SIZE = re.compile(r"^(\d+)([KMG]?)$")


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip().upper())
    if not m:
        raise InputError(f"size must look like 500K, 20M or 1G, not {text!r}")
    return int(m[1]) << {"": 0, "K": 10, "M": 20, "G": 30}[m[2]]


def script(paths: list[str], logs: list[str], user: str, since: str = DEFAULT_SINCE,
           max_log_bytes: int = DEFAULT_MAX_LOG_BYTES) -> str:
    """The collector as a POSIX sh script (every value from the command line is shell-quoted)."""
    q = shlex.quote
    lines = [
        "#!/bin/sh",
        f"# faultlens collect {__version__}: gathers logs, listings and host facts for `faultlens explain`.",
        "# It lists only the paths below, copies only the logs below (their last $MAX bytes) and runs",
        "# only the commands below. Output: the bundle named by $FAULTLENS_OUT, or one in this folder.",
        "set -u",
        f"SERVICE_USER={q(user)}",
        f"SINCE={q(since)}",
        f"MAX={int(max_log_bytes)}",
        f"PATHS_TO_LIST={q(chr(10).join(paths))}",
        f"LOGS_TO_COPY={q(chr(10).join(logs))}",
        "export SERVICE_USER SINCE MAX",
        'OUT=${FAULTLENS_OUT:-"./faultlens-bundle-$(hostname 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ).tgz"}',
        'work=$(mktemp -d "${TMPDIR:-/tmp}/faultlens.XXXXXX") || exit 2',
        "trap 'rm -rf \"$work\"' EXIT",
        "trap 'exit 2' INT TERM",
        'b="$work/bundle"',
        'mkdir -p "$b/host" "$b/listings" "$b/logs" || exit 2',
        f'm="$b/{MANIFEST}"',
        "note() { printf '%s\\n' \"$*\" >> \"$m\"; }",
        "note 'faultlens-bundle: 1'",
        f"note 'collector: faultlens collect {__version__}'",
        'note "host: $(hostname 2>/dev/null)"',
        'note "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
        'note "service_user: $SERVICE_USER"',
        "run() {  # run FILE COMMAND: output to the bundle, errors to the manifest",
        '    out=$1; shift',
        '    if ! sh -c "$1" > "$b/$out" 2>> "$work/err"; then note "command failed: $1"; fi',
        '    [ -s "$b/$out" ] || rm -f "$b/$out"',
        "}",
    ]
    lines += [f"run {q(name)} {q(command)}" for name, command in COMMANDS]
    lines += [
        'if [ ! -s "$b/host/journal.txt" ]; then',
        *[f'    [ -r {q(p)} ] && tail -c "$MAX" {q(p)} > "$b/host/{Path(p).name}.txt"' for p in SYSLOGS],
        "fi",
        "listing() {  # find -printf with modes, owners, sizes and link targets; POSIX ls -ld elsewhere",
        "    if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then",
        "        find \"$1\" \\( -type l -printf '%M %u %g %s %p -> %l\\n' \\) -o -printf '%M %u %g %s %p\\n'",
        "    else",
        '        find "$1" -exec ls -ld {} +',
        "    fi",
        "}",
        "n=0",
        'printf "%s\\n" "$PATHS_TO_LIST" | while IFS= read -r p; do',
        '    [ -n "$p" ] || continue',
        "    n=$((n + 1))",
        '    listing "$p" > "$b/listings/$n.txt" 2>> "$work/err"',
        '    note "listed: $p -> listings/$n.txt"',
        "done",
        'printf "%s\\n" "$LOGS_TO_COPY" | while IFS= read -r f; do',
        '    [ -n "$f" ] || continue',
        '    find "$f" -type f 2>> "$work/err" | while IFS= read -r one; do',
        "        dest=$(printf '%s' \"$one\" | sed 's|^/||; s|/|__|g')",
        '        tail -c "$MAX" "$one" > "$b/logs/$dest" 2>> "$work/err" && note "log: $one -> logs/$dest"',
        "    done",
        "done",
        '[ -s "$work/err" ] && sed "s/^/error: /" "$work/err" >> "$m"',
        'tmp="$OUT.partial.$$"',
        'if tar -czf "$tmp" -C "$work" bundle; then mv -f "$tmp" "$OUT" && printf "%s\\n" "$OUT"; else rm -f "$tmp"; exit 2; fi',
    ]
    return "\n".join(lines) + "\n"


def collect(paths: list[str], logs: list[str], user: str, out: str | None, since: str = DEFAULT_SINCE,
            max_log_bytes: int = DEFAULT_MAX_LOG_BYTES) -> str:
    """Run the collector here; returns the bundle's path."""
    for p in paths + logs:
        if not os.path.lexists(p):
            raise InputError(f"{p}: no such file or directory")
    target = out or os.path.join(os.getcwd(), f"faultlens-bundle-{os.uname().nodename}.tgz")
    env = {**os.environ, "FAULTLENS_OUT": target}
    with tempfile.TemporaryDirectory() as tmp:
        env["TMPDIR"] = tmp
        done = subprocess.run(["sh", "-s"], input=script(paths, logs, user, since, max_log_bytes), text=True,
                              capture_output=True, env=env)
    if done.returncode != 0 or not os.path.exists(target):
        raise InputError(f"collect failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'no bundle written'}")
    return target
