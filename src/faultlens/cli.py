"""The command line. Thin commands: parse options, call one function, render, map errors to exit codes.

Exit codes (the interface spec): 0 explained / nothing wrong, 1 ran fine but nothing explained /
problems found, 2 usage or input error (one line on stderr, no traceback unless --debug).
"""

# No `from __future__ import annotations` here: typer would then eval every annotation string
# on each start, and the on-call engineer's first answer should not wait for that.
import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from faultlens.cliopts import epilog

EXIT_OK, EXIT_NOT_EXPLAINED, EXIT_INPUT = 0, 1, 2


class Format(str, Enum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"


class ExplainFormat(str, Enum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"
    github = "github"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, context_settings=CONTEXT,
                  help="Explain why a test run or a deployment failed.\n\nGlobal options (--debug, --color, --kb) "
                       "may also come after the command.",
                  epilog=epilog("faultlens explain runs/station-07/", "faultlens explain --format json run/ | jq .causes[0].id",
                                "faultlens check release.tgz --user tester --group floor",
                                "faultlens report /data/runs/2026-11-25 --out /srv/reports/latest",
                                "faultlens runbook umask", "eval \"$(faultlens completion bash)\""))
kb_app = typer.Typer(no_args_is_help=True, context_settings=CONTEXT, help="List, check and test the knowledge base.",
                     epilog=epilog("faultlens kb list --format markdown", "faultlens kb path", "faultlens kb lint --kb ./our-kb",
                                   "faultlens kb test --cause umask-restrictive-package"))
app.add_typer(kb_app, name="kb")

_state = {"debug": bool(os.environ.get("FAULTLENS_DEBUG")), "color": "auto", "kb": []}

FormatOpt = Annotated[Optional[Format], typer.Option("--format", "-f", metavar="FORMAT", help="terminal (default), json or markdown")]
KbOpt = Annotated[Optional[list[str]], typer.Option("--kb", metavar="DIR", help="Extra knowledge-base folder (causes/*.yaml, runbooks/*.md); repeatable; adds to FAULTLENS_KB and the config file's")]
UserOpt = Annotated[Optional[str], typer.Option("--user", "-u", metavar="NAME", help="Account the test software runs as (inferred when absent)")]


def _color(stream=None) -> bool:
    from faultlens.cliopts import wants_color

    return wants_color(_state["color"], stream or sys.stdout)


def _kb_dirs(given) -> list[str]:
    """The extra knowledge-base folders: config file, FAULTLENS_KB, then --kb (global and the command's)."""
    from faultlens.config import kb_folders

    return [f.path for f in kb_folders([*_state["kb"], *(given or ())])]


def _load_kb(given):
    from faultlens.kb.loader import load_kb

    return load_kb(_kb_dirs(given))


def _stdout():
    from faultlens.render import console

    return console(color=_color())


def _fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    from faultlens.render import inert_line  # messages quote paths, names and --kb text: made inert

    print(f"faultlens: error: {inert_line(message)}", file=sys.stderr)
    return typer.Exit(code)


def _say(text: str, file=None) -> None:
    """A line of user- or file-controlled text (titles, lint messages) printed made inert."""
    from faultlens.render import inert_line

    print(inert_line(text), file=file)


def _guarded(fn):
    """Domain errors become one line on stderr and exit 2; --debug shows the traceback."""
    from functools import wraps

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from faultlens.config import ConfigError
        from faultlens.ingest.sources import InputError
        from faultlens.kb.loader import KBError
        from faultlens.runbooks import RunbookError

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except (InputError, KBError, RunbookError, ConfigError) as exc:
            if _state["debug"]:
                _print_traceback()
            raise _fail(str(exc)) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None
        except BrokenPipeError:
            raise typer.Exit(EXIT_OK) from None
        except OSError as exc:  # a folder missing, read-only or full: the input's fault, not a bug
            if _state["debug"]:
                _print_traceback()
            raise _fail(f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc)) from None
        except Exception as exc:  # a bug: still one line, with the way to see more
            if _state["debug"]:
                _print_traceback()
            raise _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)") from None

    return wrapper


def _print_traceback() -> None:
    import traceback

    traceback.print_exc()


def _json(value, **kwargs) -> str:
    import json

    return json.dumps(value, **kwargs)


def _show_version(value: bool) -> None:
    if value:
        from faultlens import __version__

        print(f"faultlens {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Print the version and exit")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors")] = False,
    color: Annotated[Color, typer.Option("--color", metavar="WHEN", help="auto (colour on a terminal unless NO_COLOR is set, or with FORCE_COLOR), always or never")] = Color.auto,
    kb: KbOpt = None,
) -> None:
    _state["debug"] = _state["debug"] or debug
    _state["color"] = color.value
    _state["kb"] = list(kb or ())


@app.command(epilog=epilog("faultlens explain station.log listing.txt", "faultlens explain runs/2026-11-25/station-07/",
                           "journalctl -u ts-executive | faultlens explain",
                           "faultlens explain --format json run/ | jq .causes[0].id",
                           "faultlens explain --format github run/     # annotations in a GitHub Actions job",
                           "faultlens explain --baseline good-run/ bad-run/"))
@_guarded
def explain(
    inputs: Annotated[Optional[list[str]], typer.Argument(metavar="[INPUT]...", help="Logs, snapshot files, run directories, tarballs; '-' for stdin")] = None,
    user: UserOpt = None,
    fmt: Annotated[Optional[ExplainFormat], typer.Option("--format", "-f", metavar="FORMAT", help="terminal (default), json, markdown or github (workflow annotations)")] = None,
    kb: KbOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="Show at most N causes")] = 5,
    baseline: Annotated[Optional[list[str]], typer.Option("--baseline", "-b", metavar="PATH", help="A passing run (files, folder or bundle): only what is new counts; repeatable")] = None,
) -> None:
    """Explain one failure from its logs and filesystem snapshot."""
    from faultlens.pipeline import explain as run_explain

    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            raise _fail("no input: give log/snapshot files or directories, or pipe a log into faultlens explain")
        inputs = ["-"]
    result = run_explain(list(inputs), _load_kb(kb), user=user, baseline=list(baseline or ()),
                         all_unusual=fmt == ExplainFormat.json)
    _emit(result, fmt, top)
    raise typer.Exit(EXIT_OK if result.verdict == "explained" else EXIT_NOT_EXPLAINED)


def _emit(result, fmt: ExplainFormat | None, top: int) -> None:
    if fmt == ExplainFormat.json:
        from faultlens.render import json_out

        sys.stdout.write(json_out.render(result, top))
    elif fmt == ExplainFormat.markdown:
        from faultlens.render import markdown

        sys.stdout.write(markdown.render(result, top))
    elif fmt == ExplainFormat.github:
        from faultlens.render import explain_github

        sys.stdout.write(explain_github.render(result, top))
    else:
        from faultlens.render import terminal

        terminal.render(result, top, color=_color())


class CheckFormat(str, Enum):
    terminal = "terminal"
    json = "json"
    junit = "junit"
    github = "github"
    sarif = "sarif"


@app.command(epilog=epilog("faultlens check release.tgz --user tester --group floor",
                           "faultlens check /opt/ts/releases/base-4.2.0 --user tester",
                           "faultlens check release.tgz --user tester --extract-as user --umask 077",
                           "faultlens check release.tgz --user tester --format junit > check-results.xml"))
@_guarded
def check(
    path: Annotated[str, typer.Argument(metavar="PATH", help="Release directory, package (.deb .rpm .whl .zip .apk, tar with gzip/bzip2/xz/zstd) or listing file")],
    user: Annotated[str, typer.Option("--user", "-u", metavar="NAME", help="Account the test software runs as")],
    group: Annotated[Optional[list[str]], typer.Option("--group", "-g", metavar="GROUP", help="Its groups (repeatable; default: from this host)")] = None,
    extract_as: Annotated[str, typer.Option("--extract-as", metavar="WHO", help="Who runs the installer: root (tar keeps stored owners and modes) or user (the files become the user's)")] = "root",
    umask: Annotated[str, typer.Option("--umask", metavar="MASK", help="The installer's umask (tar as user, pip, unzip)")] = "022",
    installer: Annotated[str, typer.Option("--installer", metavar="HOW", help="How the package is laid out: auto (dpkg, rpm, apk, pip for .whl, unzip for .zip, tar), or pip / unzip for a wheel")] = "auto",
    fmt: Annotated[Optional[CheckFormat], typer.Option("--format", "-f", metavar="FORMAT", help="terminal (default), json, junit, github (workflow annotations) or sarif")] = None,
    kb: KbOpt = None,
) -> None:
    """Pre-flight a release: what would stop USER from using it. Exit 1 if something would."""
    from faultlens.check.run import EXTRACT_CHOICES, INSTALLER_CHOICES
    from faultlens.check.run import check as run_check
    from faultlens.render import check_out

    if extract_as not in EXTRACT_CHOICES:
        raise _fail(f"--extract-as must be one of {', '.join(EXTRACT_CHOICES)}")
    if installer not in INSTALLER_CHOICES:
        raise _fail(f"--installer must be one of {', '.join(INSTALLER_CHOICES)}")
    try:
        mask = int(umask, 8)
    except ValueError:
        mask = -1
    if not 0 <= mask <= 0o777 or not umask.strip().isdigit():
        raise _fail(f"--umask must be octal from 000 to 0777, like 022 or 0077, not {umask!r}")
    report = run_check(path, user, list(group or ()), _load_kb(kb), extract_as, mask, installer)
    if fmt is not None and fmt.value in check_out.FORMATTERS:
        sys.stdout.write(check_out.FORMATTERS[fmt.value](report))
    else:
        check_out.terminal(report, _stdout())
    raise typer.Exit(EXIT_NOT_EXPLAINED if report.failed else EXIT_OK)


@app.command(epilog=epilog("faultlens collect /opt/ts/releases --log /var/log/ts --user tester --out /tmp/station-07.tgz",
                           "faultlens collect --script /opt/ts/releases --log /var/log/ts --user tester > collect.sh"))
@_guarded
def collect(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="[PATH]...", help="Paths to list (release folders, data folders)")] = None,
    user: Annotated[str, typer.Option("--user", "-u", metavar="NAME", help="The service account (for `id`)")] = "root",
    log: Annotated[Optional[list[str]], typer.Option("--log", "-l", metavar="PATH", help="Log file or folder to include; repeatable")] = None,
    since: Annotated[str, typer.Option("--since", metavar="WHEN", help="Journal window, as journalctl --since takes it")] = "2 hours ago",
    max_log: Annotated[str, typer.Option("--max-log", metavar="SIZE", help="Keep at most the last SIZE of each log (500K, 20M)")] = "20M",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Bundle file to write")] = None,
    script: Annotated[bool, typer.Option("--script", help="Print the equivalent POSIX sh script instead of running it")] = False,
    unit: Annotated[Optional[str], typer.Option("--unit", metavar="UNIT", help="systemd unit: also its `systemctl show` and main process status")] = None,
    pid: Annotated[Optional[int], typer.Option("--pid", metavar="PID", help="Also /proc/PID/status of this process")] = None,
) -> None:
    """Gather logs, listings and host facts into one bundle that `explain` reads."""
    from faultlens.collect import collect as run_collect
    from faultlens.collect import parse_size
    from faultlens.collect import script as make_script

    limit = parse_size(max_log)
    if script:
        sys.stdout.write(make_script(list(paths or ()), list(log or ()), user, since, limit, unit, pid))
        return
    _say(run_collect(list(paths or ()), list(log or ()), user, out, since, limit, unit, pid))


@app.command(epilog=epilog("faultlens report /data/runs/2026-11-25 --out /srv/reports/latest",
                           "faultlens report samples/floor-night --out /tmp/night -j 2"))
@_guarded
def report(
    runs_dir: Annotated[str, typer.Argument(metavar="RUNS_DIR", help="Folder with one folder or tarball per run")],
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Folder for report.html, report.md, runs.parquet, summary.json, history.json")],
    kb: KbOpt = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-j", min=1, metavar="N", help="Processes (default: all cores)")] = None,
    night: Annotated[Optional[str], typer.Option("--night", metavar="DATE", help="Name of the night in the history, YYYY-MM-DD (default: from the runs' start times)")] = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="Run the analysis on this Dask cluster (tcp://HOST:8786; needs faultlens[dask]; workers must see RUNS_DIR at the same path)")] = None,
) -> None:
    """The nightly batch: explain every run, then one report for the floor. RUNS_DIR is a path
    or a file:// URL.

    Exit 0 when every run was read, 1 when a run could not be read (it is listed in the
    report, the other runs are reported as usual), 2 on a usage or input error. Progress goes
    to stderr: a bar on a terminal, plain lines otherwise (CI logs).
    """
    from faultlens.report.build import build

    if night is not None and not _is_date(night):
        raise _fail(f"--night {night!r}: not a date (YYYY-MM-DD)")
    summary = build(runs_dir, out, tuple(_kb_dirs(kb)), workers, night=night, scheduler=scheduler)
    t = summary["totals"]
    _say(f"{out}: {t['runs']} runs, {t['failing']} failed ({t['explained']} explained, {t['unexplained']} unexplained), "
          f"{t['errors']} unreadable; report.html report.md runs.parquet summary.json")
    if t["errors"]:
        print(f"faultlens: {t['errors']} of {t['runs']} runs could not be read: see 'Runs that could not be read' in the report",
              file=sys.stderr)
        raise typer.Exit(EXIT_NOT_EXPLAINED)


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


@app.command(epilog=epilog("faultlens runbook", "faultlens runbook umask", "faultlens runbook dir-not-traversable --format markdown"))
@_guarded
def runbook(
    query: Annotated[Optional[str], typer.Argument(metavar="[QUERY]", help="Cause id, title words or keyword (typos are forgiven)")] = None,
    fmt: FormatOpt = None,
    kb: KbOpt = None,
) -> None:
    """Find and show a runbook; without a query, list them all."""
    from faultlens.runbooks import find, load_runbooks

    books = load_runbooks(_load_kb(kb).runbook_dirs)
    if query is None:
        _list_runbooks(list(books.values()), fmt)
        return
    found = find(books, query)
    if not found:
        raise _fail(f"no runbook matches {query!r}; `faultlens runbook` lists them all", EXIT_NOT_EXPLAINED)
    if len(found) > 1:
        _say(f"{len(found)} runbooks match {query!r}:", file=sys.stderr)
        _list_runbooks(found, fmt)
        return
    book = found[0]
    if fmt == Format.json:
        print(_json({"id": book.id, "title": book.title, "keywords": list(book.keywords),
                          "path": book.ref.path, "markdown": book.body}, indent=2))
    else:
        from faultlens.render import inert, inert_line

        text = f"# {inert_line(book.title)}\n\n{inert(book.body)}"  # a --kb runbook cannot drive the terminal
        if fmt == Format.markdown or not _color():
            sys.stdout.write(text + "\n")
        else:
            from rich.markdown import Markdown

            _stdout().print(Markdown(text))


def _list_runbooks(books, fmt: Format | None) -> None:
    if fmt == Format.json:
        print(_json([{"id": b.id, "title": b.title, "path": b.ref.path} for b in books], indent=2))
        return
    width = max(len(b.id) for b in books) if books else 0
    for b in sorted(books, key=lambda b: b.id):
        _say(f"{b.id:<{width}}  {b.title}")


@kb_app.command("list", epilog=epilog("faultlens kb list", "faultlens kb list --format markdown > causes.md", "faultlens kb list --format json | jq -r '.causes[].id'"))
@_guarded
def kb_list(fmt: FormatOpt = None, kb: KbOpt = None) -> None:
    """List the causes of the knowledge base with their category."""
    base = _load_kb(kb)
    causes = sorted(base.causes.values(), key=lambda c: (c.category, c.id))
    if fmt == Format.json:
        print(_json({"schema": "faultlens.kb-list/1", "version": base.version, "causes": [
            {"id": c.id, "title": c.title, "category": c.category, "runbook": c.runbook, "path": c.path,
             "signals": len(c.signals), "examples": len(c.examples)} for c in causes]}, indent=2))
        return
    if fmt == Format.markdown:
        from faultlens.render.markdown import kb_table

        sys.stdout.write(kb_table(causes))
        return
    width = max(len(c.id) for c in causes)
    for c in causes:
        _say(f"{c.id:<{width}}  {c.category:<12}  {c.title}")


@kb_app.command("path", epilog=epilog("faultlens kb path", "FAULTLENS_KB=/srv/team-kb faultlens kb path --format json"))
@_guarded
def kb_path(fmt: FormatOpt = None, kb: KbOpt = None) -> None:
    """Show the knowledge-base folders in effect, in load order, and where each came from."""
    from faultlens.config import kb_folders
    from faultlens.resources import causes_dir

    rows = [(str(causes_dir()), "shipped")] + [(f.path, f.origin) for f in kb_folders([*_state["kb"], *(kb or ())])]
    if fmt == Format.json:
        print(_json([{"path": path, "from": origin} for path, origin in rows], indent=2))
        return
    for path, origin in rows:
        print(f"{_shown(path)}  (from {_shown(origin)})")


def _shown(path: str) -> str:
    """A path inside the current folder as relative to it (shorter, as the user would type it)."""
    if not os.path.isabs(path):
        return path
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


@kb_app.command("lint", epilog=epilog("faultlens kb lint", "faultlens kb lint --kb ./our-kb --passing samples/passing"))
@_guarded
def kb_lint(
    kb: KbOpt = None,
    passing: Annotated[Optional[list[str]], typer.Option("--passing", metavar="PATH", help="Logs of passing runs (files or folders; repeatable): a pattern matching too much of them, or a cause reaching 0.5 on one, is a problem")] = None,
) -> None:
    """Check every cause file: schema, pattern syntax, runbook present, duplicate ids, examples, breadth.
    Every problem is listed, not only the first of each file."""
    from faultlens.kbtools import lint

    messages = lint(_kb_dirs(kb), passing)
    for m in messages:
        _say(f"{m.level}: {m.text}")
    errors = sum(1 for m in messages if m.level == "error")
    print(f"kb lint: {errors} error(s), {len(messages) - errors} warning(s)")
    raise typer.Exit(EXIT_NOT_EXPLAINED if errors else EXIT_OK)


@kb_app.command("patterns", epilog=epilog("faultlens kb patterns --ere > patterns.ere && grep -E -f patterns.ere station.log"))
@_guarded
def kb_patterns(
    ere: Annotated[bool, typer.Option("--ere", help="One POSIX ERE a line, for grep -E -f / rg -f")] = False,
    kb: KbOpt = None,
) -> None:
    """Export the knowledge base's log patterns (RE2 with their keys, or ERE)."""
    from faultlens.kb.ere import to_ere
    from faultlens.kb.patterns import for_engine

    for pattern in _load_kb(kb).patterns():
        print(to_ere(pattern.regex) if ere else f"{pattern.key}\t{for_engine(pattern.regex)}")


@kb_app.command("new", epilog=epilog("faultlens kb new --from-cluster C9c12d61d --report /tmp/night --out our-kb/firmware-crc.yaml"))
@_guarded
def kb_new(
    from_cluster: Annotated[str, typer.Option("--from-cluster", metavar="ID", help="Cluster id from a report (C9c12d61d)")],
    report_dir: Annotated[str, typer.Option("--report", metavar="DIR", help="The report folder holding summary.json")] = "report",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write the draft here (and a runbook stub in runbooks/ beside it) instead of printing it")] = None,
) -> None:
    """Draft a cause YAML (and its runbook) from a cluster of unexplained failures in a report."""
    from faultlens.kb.loader import ID_RE
    from faultlens.kbtools import draft_from_cluster, kb_root, write_atomically

    stem = os.path.splitext(os.path.basename(out))[0] if out else ""
    text, runbook_text = draft_from_cluster(report_dir, from_cluster, stem if ID_RE.match(stem) else None)
    if out is None:
        sys.stdout.write(text)
        return
    import yaml

    cid = yaml.safe_load(text)["id"]
    root = kb_root(out)
    book = os.path.join(os.path.relpath(root), "runbooks", f"{cid}.md")
    write_atomically(out, text)
    wrote = [out]
    if not os.path.exists(book):  # a runbook someone already wrote is kept
        write_atomically(book, runbook_text)
        wrote.append(book)
    _say(f"wrote {' and '.join(wrote)}: edit the title, category, examples and runbook, then "
          f"`faultlens kb lint --kb {os.path.relpath(root)}`")


@kb_app.command("test", epilog=epilog("faultlens kb test", "faultlens kb test --kb ./our-kb --cause firmware-crc"))
@_guarded
def kb_test(
    kb: KbOpt = None,
    cause: Annotated[Optional[str], typer.Option("--cause", metavar="ID", help="Only this cause's examples")] = None,
) -> None:
    """Run every cause's own examples: positives must rank it first, negatives must not."""
    from faultlens.kbtools import run_examples

    base = _load_kb(kb)
    if cause is not None and cause not in base.causes:
        raise _fail(f"no cause {cause!r} in the knowledge base (`faultlens kb list` lists them)")
    results = run_examples(base, cause)
    failed = [r for r in results if not r.passed]
    for r in failed:
        want = "first" if r.example.positive else "not first"
        got = ", ".join(f"{cid} {conf:.2f}" for cid, conf in r.got[:3]) or "nothing"
        _say(f"FAIL {r.cause.id}: {r.example.name} (want {r.cause.id} {want}; got {got}) [{r.cause.path}:{r.example.line}]")
    print(f"kb test: {len(results) - len(failed)} of {len(results)} examples pass")
    raise typer.Exit(EXIT_NOT_EXPLAINED if failed else EXIT_OK)


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command(epilog=epilog('eval "$(faultlens completion bash)"     # in ~/.bashrc',
                           'eval "$(faultlens completion zsh)"      # in ~/.zshrc',
                           "faultlens completion fish > ~/.config/fish/completions/faultlens.fish"))
@_guarded
def completion(shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish")]) -> None:
    """Print the shell's completion script for faultlens."""
    from faultlens.cliopts import completion_script

    sys.stdout.write(completion_script(shell.value))


class SchemaName(str, Enum):
    explain = "explain"
    check = "check"
    report = "report"
    kb_list = "kb-list"


@app.command(epilog=epilog("faultlens schema explain > faultlens-explain.schema.json"))
@_guarded
def schema(name: Annotated[SchemaName, typer.Argument(metavar="NAME", help="explain, check, report (summary.json) or kb-list")]) -> None:
    """Print the JSON Schema of a command's JSON output (shipped in the package)."""
    from faultlens.resources import schema_text

    sys.stdout.write(schema_text(name.value))


def main() -> None:
    """The command, then an immediate exit: once the answer is written and flushed, tearing down
    the interpreter's ~300 modules would cost ~20 ms more of a ~150 ms explain. Nothing is lost:
    every file a command writes is closed (and renamed into place) and every worker pool shut
    down before the command returns."""
    if sys.stderr is None:  # started with standard error closed (`2>&-`): errors go nowhere
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        print("faultlens: error: standard output is closed: nowhere to write the answer", file=sys.stderr)
        os._exit(EXIT_INPUT)
    code = _run(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed: nothing to say
            pass
    os._exit(code)


def _run(argv: list[str]) -> int:
    """typer without its own error handling: a usage error is one line (`faultlens: error: ...`)
    and exit 2, like every other error, not click's four-line box."""
    from faultlens.cliopts import click, enable_completion, hoist_globals

    enable_completion()
    errors = click().exceptions
    try:
        code = app(args=hoist_globals(argv), prog_name="faultlens", standalone_mode=False)
    except SystemExit as done:  # a --help or --version inside click, shell completion
        code = done.code if isinstance(done.code, int) else EXIT_OK if done.code is None else 1
    except errors.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help())
        print(f"faultlens: error: {exc.ctx.command_path}: which command? (listed above)", file=sys.stderr)
        return EXIT_INPUT
    except errors.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "faultlens"
        message = " ".join(exc.format_message().split()).rstrip(".")
        print(f"faultlens: error: {message} (`{where} -h` shows the usage)", file=sys.stderr)
        return EXIT_INPUT
    except errors.Abort:  # Ctrl-C or end of input at a prompt
        print("faultlens: error: interrupted", file=sys.stderr)
        return 130
    except errors.ClickException as exc:
        print(f"faultlens: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return exc.exit_code
    return code if isinstance(code, int) else EXIT_OK
