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

EXIT_OK, EXIT_NOT_EXPLAINED, EXIT_INPUT = 0, 1, 2


class Format(str, Enum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, help="Explain why a test run or a deployment failed.")
kb_app = typer.Typer(no_args_is_help=True, help="List, check and test the knowledge base.")
app.add_typer(kb_app, name="kb")

_state = {"debug": bool(os.environ.get("FAULTLENS_DEBUG"))}

FormatOpt = Annotated[Optional[Format], typer.Option("--format", "-f", help="terminal (default), json or markdown")]
KbOpt = Annotated[Optional[list[str]], typer.Option("--kb", help="Extra knowledge-base folder (causes/*.yaml, runbooks/*.md); repeatable")]


def _stdout():
    from faultlens.render import console

    return console()


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
        from faultlens.ingest.sources import InputError
        from faultlens.kb.loader import KBError
        from faultlens.runbooks import RunbookError

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except (InputError, KBError, RunbookError) as exc:
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


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors")] = False) -> None:
    _state["debug"] = _state["debug"] or debug


@app.command()
@_guarded
def explain(
    inputs: Annotated[Optional[list[str]], typer.Argument(help="Logs, snapshot files, run directories, tarballs; '-' for stdin")] = None,
    user: Annotated[Optional[str], typer.Option("--user", "-u", help="Account the test software runs as (inferred when absent)")] = None,
    fmt: FormatOpt = None,
    kb: KbOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Show at most this many causes")] = 5,
    baseline: Annotated[Optional[list[str]], typer.Option("--baseline", "-b", help="A passing run (files, folder or bundle): only what is new counts; repeatable")] = None,
) -> None:
    """Explain one failure from its logs and filesystem snapshot."""
    from faultlens.kb.loader import load_kb
    from faultlens.pipeline import explain as run_explain

    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            raise _fail("no input: give log/snapshot files or directories, or pipe a log into faultlens explain")
        inputs = ["-"]
    result = run_explain(list(inputs), load_kb(kb or ()), user=user, baseline=list(baseline or ()))
    _emit(result, fmt, top)
    raise typer.Exit(EXIT_OK if result.verdict == "explained" else EXIT_NOT_EXPLAINED)


def _emit(result, fmt: Format | None, top: int) -> None:
    if fmt == Format.json:
        from faultlens.render import json_out

        sys.stdout.write(json_out.render(result, top))
    elif fmt == Format.markdown:
        from faultlens.render import markdown

        sys.stdout.write(markdown.render(result, top))
    else:
        from faultlens.render import terminal

        terminal.render(result, top)


class CheckFormat(str, Enum):
    terminal = "terminal"
    json = "json"
    junit = "junit"


@app.command()
@_guarded
def check(
    path: Annotated[str, typer.Argument(help="Release directory, tarball (.tar, .tar.gz, .tgz) or listing file")],
    user: Annotated[str, typer.Option("--user", "-u", help="Account the test software runs as")],
    group: Annotated[Optional[list[str]], typer.Option("--group", "-g", help="Its groups (repeatable; default: from this host)")] = None,
    extract_as: Annotated[str, typer.Option("--extract-as", help="Who unpacks a tarball: root (keeps stored owners and modes) or user (its umask applies)")] = "root",
    umask: Annotated[str, typer.Option("--umask", help="The user's umask, with --extract-as user")] = "022",
    fmt: Annotated[Optional[CheckFormat], typer.Option("--format", "-f", help="terminal (default), json or junit")] = None,
    kb: KbOpt = None,
) -> None:
    """Pre-flight a release: what would stop USER from using it. Exit 1 if something would."""
    from faultlens.check.run import EXTRACT_CHOICES
    from faultlens.check.run import check as run_check
    from faultlens.kb.loader import load_kb
    from faultlens.render import check_out

    if extract_as not in EXTRACT_CHOICES:
        raise _fail(f"--extract-as must be one of {', '.join(EXTRACT_CHOICES)}")
    try:
        mask = int(umask, 8)
    except ValueError:
        mask = -1
    if not 0 <= mask <= 0o777 or not umask.strip().isdigit():
        raise _fail(f"--umask must be octal from 000 to 0777, like 022 or 0077, not {umask!r}")
    report = run_check(path, user, list(group or ()), load_kb(kb or ()), extract_as, mask)
    if fmt == CheckFormat.json:
        sys.stdout.write(check_out.as_json(report))
    elif fmt == CheckFormat.junit:
        sys.stdout.write(check_out.as_junit(report))
    else:
        check_out.terminal(report, _stdout())
    raise typer.Exit(EXIT_NOT_EXPLAINED if report.failed else EXIT_OK)


@app.command()
@_guarded
def collect(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Paths to list (release folders, data folders)")] = None,
    user: Annotated[str, typer.Option("--user", "-u", help="The service account (for `id`)")] = "root",
    log: Annotated[Optional[list[str]], typer.Option("--log", "-l", help="Log file or folder to include; repeatable")] = None,
    since: Annotated[str, typer.Option("--since", help="Journal window, as journalctl --since takes it")] = "2 hours ago",
    max_log: Annotated[str, typer.Option("--max-log", help="Keep at most the last SIZE of each log (500K, 20M)")] = "20M",
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Bundle file to write")] = None,
    script: Annotated[bool, typer.Option("--script", help="Print the equivalent POSIX sh script instead of running it")] = False,
) -> None:
    """Gather logs, listings and host facts into one bundle that `explain` reads."""
    from faultlens.collect import collect as run_collect
    from faultlens.collect import parse_size
    from faultlens.collect import script as make_script

    limit = parse_size(max_log)
    if script:
        sys.stdout.write(make_script(list(paths or ()), list(log or ()), user, since, limit))
        return
    _say(run_collect(list(paths or ()), list(log or ()), user, out, since, limit))


@app.command()
@_guarded
def report(
    runs_dir: Annotated[str, typer.Argument(help="Folder with one folder or tarball per run")],
    out: Annotated[str, typer.Option("--out", "-o", help="Folder for report.html, report.md, runs.parquet, summary.json")],
    kb: KbOpt = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-j", min=1, help="Processes (default: all cores)")] = None,
) -> None:
    """The nightly batch: explain every run, then one report for the floor."""
    from faultlens.report.build import build

    summary = build(runs_dir, out, tuple(kb or ()), workers)
    t = summary["totals"]
    _say(f"{out}: {t['runs']} runs, {t['failing']} failed ({t['explained']} explained, {t['unexplained']} unexplained), "
          f"{t['errors']} unreadable; report.html report.md runs.parquet summary.json")


@app.command()
@_guarded
def runbook(
    query: Annotated[Optional[str], typer.Argument(help="Cause id, title words or keyword (typos are forgiven)")] = None,
    fmt: FormatOpt = None,
    kb: KbOpt = None,
) -> None:
    """Find and show a runbook; without a query, list them all."""
    from faultlens.kb.loader import load_kb
    from faultlens.runbooks import find, load_runbooks

    books = load_runbooks(load_kb(kb or ()).runbook_dirs)
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
        if fmt == Format.markdown or not sys.stdout.isatty():
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


@kb_app.command("list")
@_guarded
def kb_list(fmt: FormatOpt = None, kb: KbOpt = None) -> None:
    """List the causes of the knowledge base with their category."""
    from faultlens.kb.loader import load_kb

    base = load_kb(kb or ())
    causes = sorted(base.causes.values(), key=lambda c: (c.category, c.id))
    if fmt == Format.json:
        print(_json({"version": base.version, "causes": [
            {"id": c.id, "title": c.title, "category": c.category, "runbook": c.runbook, "path": c.path,
             "signals": len(c.signals), "examples": len(c.examples)} for c in causes]}, indent=2))
        return
    width = max(len(c.id) for c in causes)
    for c in causes:
        _say(f"{c.id:<{width}}  {c.category:<12}  {c.title}")


@kb_app.command("lint")
@_guarded
def kb_lint(
    kb: KbOpt = None,
    passing: Annotated[Optional[list[str]], typer.Option("--passing", help="Logs of passing runs: flags patterns that match too much of them (default: samples/passing when present)")] = None,
) -> None:
    """Check every cause file: schema, pattern syntax, runbook present, duplicate ids, examples, breadth."""
    from faultlens.kbtools import lint

    if passing is None and os.path.isdir("samples/passing"):
        passing = ["samples/passing"]
    messages = lint(kb or [], passing)
    for m in messages:
        _say(f"{m.level}: {m.text}")
    errors = sum(1 for m in messages if m.level == "error")
    print(f"kb lint: {errors} error(s), {len(messages) - errors} warning(s)")
    raise typer.Exit(EXIT_NOT_EXPLAINED if errors else EXIT_OK)


@kb_app.command("patterns")
@_guarded
def kb_patterns(
    ere: Annotated[bool, typer.Option("--ere", help="One POSIX ERE a line, for grep -E -f / rg -f")] = False,
    kb: KbOpt = None,
) -> None:
    """Export the knowledge base's log patterns (RE2 with their keys, or ERE)."""
    from faultlens.kb.ere import to_ere
    from faultlens.kb.loader import load_kb
    from faultlens.kb.patterns import for_engine

    for pattern in load_kb(kb or ()).patterns():
        print(to_ere(pattern.regex) if ere else f"{pattern.key}\t{for_engine(pattern.regex)}")


@kb_app.command("new")
@_guarded
def kb_new(
    from_cluster: Annotated[str, typer.Option("--from-cluster", help="Cluster id from a report (C1a2b3c4d)")],
    report_dir: Annotated[str, typer.Option("--report", help="The report folder holding summary.json")] = "report",
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write the draft here instead of printing it")] = None,
) -> None:
    """Draft a cause YAML from a cluster of unexplained failures in a report."""
    from faultlens.kbtools import draft_from_cluster

    text = draft_from_cluster(report_dir, from_cluster)
    if out is None:
        sys.stdout.write(text)
        return
    from faultlens.kbtools import write_atomically

    write_atomically(out, text)
    _say(f"wrote {out}: edit the id, title, category and examples, then `faultlens kb lint --kb {os.path.dirname(out) or '.'}`")


@kb_app.command("test")
@_guarded
def kb_test(
    kb: KbOpt = None,
    cause: Annotated[Optional[str], typer.Option("--cause", help="Only this cause's examples")] = None,
) -> None:
    """Run every cause's own examples: positives must rank it first, negatives must not."""
    from faultlens.kb.loader import load_kb
    from faultlens.kbtools import run_examples

    results = run_examples(load_kb(kb or ()), cause)
    failed = [r for r in results if not r.passed]
    for r in failed:
        want = "first" if r.example.positive else "not first"
        got = ", ".join(f"{cid} {conf:.2f}" for cid, conf in r.got[:3]) or "nothing"
        _say(f"FAIL {r.cause.id}: {r.example.name} (want {r.cause.id} {want}; got {got}) [{r.cause.path}:{r.example.line}]")
    print(f"kb test: {len(results) - len(failed)} of {len(results)} examples pass")
    raise typer.Exit(EXIT_NOT_EXPLAINED if failed else EXIT_OK)


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
    try:
        app()
        code = EXIT_OK
    except SystemExit as done:  # how typer ends every command
        code = done.code if isinstance(done.code, int) else EXIT_OK if done.code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed: nothing to say
            pass
    os._exit(code)
