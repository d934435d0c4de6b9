"""Loading the knowledge base: shipped causes, then each --kb DIR (same id overrides).

Every mistake in a YAML file is reported with the file and line, never as a traceback.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from faultlens.cache import digest, memo
from faultlens.kb.model import Cause, EventFilter, Example, KnowledgeBase, Lexicon, Pattern, Signal
from faultlens.kb.patterns import PatternError, check_pattern
from faultlens.kb.yamlload import Mapping, YAMLBoundError, load_yaml, yaml_error
from faultlens.resources import causes_dir, data_dir

SIGNALS_FILE = "signals.yaml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CATEGORIES = ("permissions", "resources", "dependencies", "network", "releases", "crashes", "tests", "product",
              "environment")
_DURATION = re.compile(r"^(\d{1,6})\s*(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class KBError(Exception):
    """A knowledge-base file is wrong; the message names file and line. `problems` holds every
    mistake found in the file (`kb lint` lists them all; other commands show the first)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


def load_kb(extra_dirs: list[str] | tuple[str, ...] = (), errors: list[str] | None = None) -> KnowledgeBase:
    """The shipped causes plus each extra folder's. With `errors`, a broken cause file is
    recorded there and skipped (for `kb lint`); without, the first one raises KBError.

    Parsing the YAML costs more than most explanations, so a loaded knowledge base is kept in
    the user's cache folder, keyed by every file's path and bytes (an edit is a new key)."""
    dirs = [causes_dir()] + [Path(d) for d in extra_dirs]
    for d in dirs[1:]:
        if not d.is_dir():
            raise KBError(f"{d}: knowledge-base folder not found")
    if errors is not None:
        return _load(dirs, errors)
    # the runbook folders _load finds are part of what it returns, so part of the key too (L7)
    runbooks = [str(d / "runbooks").encode() for d in dirs[1:] if (d / "runbooks").is_dir()]
    return memo("kb", [p for d in dirs for p in sorted(_yaml_files(d))], lambda: _load(dirs, None), (KnowledgeBase,),
                extra=[b"runbook folders:", *runbooks])


def _load(dirs: list[Path], errors: list[str] | None) -> KnowledgeBase:
    shared: dict[str, Pattern] = {}
    lexicon: dict = {}
    calibration: list[tuple[float, float]] = []
    base_rates: list[tuple[str, int]] = []
    cause_files: list[Path] = []
    for d in dirs:
        sig_file = d / SIGNALS_FILE
        if sig_file.is_file():
            try:
                knots, rates = _load_shared(sig_file, shared, lexicon)
                calibration, base_rates = knots or calibration, rates or base_rates
            except KBError as exc:
                if errors is None or d == dirs[0]:
                    raise
                errors.append(str(exc))
        cause_files += sorted(p for p in _yaml_files(d) if p.name != SIGNALS_FILE)
    causes: dict[str, Cause] = {}
    for path in cause_files:
        try:
            cause = _load_cause(path, shared)
            known = causes.get(cause.id)
            if known is not None and Path(known.path).parent == path.parent:
                raise KBError(f"{path}:1: cause id {cause.id!r} is already defined in {known.path}")
        except KBError as exc:
            if errors is None:
                raise
            errors.extend(exc.problems)
            continue
        causes[cause.id] = cause  # a later folder overrides an earlier one by id
    missing = set(Lexicon.fields()) - lexicon.keys()
    if missing:
        raise KBError(f"{causes_dir() / SIGNALS_FILE}: lexicon lacks {', '.join(sorted(missing))}")
    runbook_dirs = [str(data_dir("runbooks"))] + [str(d / "runbooks") for d in dirs[1:] if (d / "runbooks").is_dir()]
    return KnowledgeBase(causes, Lexicon(**{k: lexicon[k] for k in Lexicon.fields()}),
                         tuple(runbook_dirs), _version(dirs, cause_files), tuple(calibration),
                         tuple(base_rates))


def _yaml_files(d: Path) -> list[Path]:
    found = list(d.glob("*.yaml")) + list(d.glob("*.yml"))
    sub = d / "causes"
    if sub.is_dir() and sub != d:
        found += list(sub.glob("*.yaml")) + list(sub.glob("*.yml"))
    return found


def _version(dirs: list[Path], files: list[Path]) -> str:
    from faultlens import __version__

    key = digest()
    for p in files + [d / SIGNALS_FILE for d in dirs if (d / SIGNALS_FILE).is_file()]:
        key.update(p.name.encode())
        key.update(p.read_bytes())
    return f"{__version__}+{key.hexdigest()[:12]}"


def _read(path: Path) -> Mapping:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except YAMLBoundError as exc:
        raise KBError(str(exc)) from None
    except (*yaml_error(), ValueError) as exc:  # ValueError: an impossible date (2026-02-30)
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        reason = (getattr(exc, "problem", None) or str(exc)).splitlines()[0]
        raise KBError(f"{path}{where}: invalid YAML: {reason}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KBError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, Mapping):
        raise KBError(f"{path}:1: expected a mapping at the top level")
    return data


def _load_shared(path: Path, shared: dict[str, Pattern], lexicon: dict) -> tuple[list[tuple[float, float]], list[tuple[str, int]]]:
    """Shared signals and lexicon go into the dicts; the calibration knots and base rates (if any)
    are returned."""
    data = _read(path)
    for field in ("signals", "lexicon"):
        if data.get(field) and not isinstance(data[field], Mapping):
            raise KBError(f"{path}:{data.line_of(field)}: '{field}' must map names to entries")
    for key, spec in (data.get("signals") or {}).items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("pattern"), str):
            raise KBError(f"{path}:{data['signals'].line_of(key)}: shared signal {key!r} needs a 'pattern' string")
        shared[key] = Pattern(key, _pattern(spec["pattern"], path, spec.line_of("pattern"), spec.get("case")),
                              _access(spec.get("access"), path, spec.line_of("access")))
    for key, value in (data.get("lexicon") or {}).items():
        lexicon[key] = _pattern(value, path, data["lexicon"].line_of(key), "sensitive")  # as written
    return (_calibration(data.get("calibration"), path, data.line_of("calibration")),
            _base_rates(data.get("base_rates"), path, data.line_of("base_rates")))


def _base_rates(raw, path: Path, line: int) -> list[tuple[str, int]]:
    if not raw:
        return []
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                               and v >= 0 for k, v in raw.items()):
        raise KBError(f"{path}:{line}: base_rates must map cause ids to counts (whole numbers >= 0)")
    return sorted(raw.items())


def _calibration(raw, path: Path, line: int) -> list[tuple[float, float]]:
    if raw is None or raw == []:  # no map: the score is the confidence
        return []
    try:
        knots = [(float(x), float(y)) for x, y in raw]
    except (TypeError, ValueError):
        raise KBError(f"{path}:{line}: calibration must be a list of [score, confidence] pairs") from None
    ok = all(0 <= x <= 1 and 0 <= y <= 1 for x, y in knots) and all(
        x0 < x1 and y0 <= y1 for (x0, y0), (x1, y1) in zip(knots, knots[1:]))
    if not knots or not ok:
        raise KBError(f"{path}:{line}: calibration knots must lie in [0, 1], scores rising, confidences not falling")
    return knots


def _load_cause(path: Path, shared: dict[str, Pattern]) -> Cause:
    """One cause file; every mistake in it is found before KBError is raised with them all."""
    data = _read(path)
    where = lambda key: f"{path}:{data.line_of(key)}"  # noqa: E731
    problems: list[str] = []
    for key in ("id", "title", "category", "summary", "signals"):
        if key not in data:
            problems.append(f"{path}:{data.line}: cause lacks required field {key!r}")
    cid = data.get("id")
    if "id" in data and (not isinstance(cid, str) or not ID_RE.match(cid)):
        problems.append(f"{where('id')}: id must be lowercase words joined by '-', got {cid!r}")
        cid = None
    if "category" in data and data["category"] not in CATEGORIES:
        problems.append(f"{where('category')}: unknown category {data['category']!r} (one of {', '.join(CATEGORIES)})")
    for key in sorted(set(data) - {"id", "title", "category", "summary", "signals", "requires", "runbook",
                                   "next_steps", "examples", "sources", "symptom"}):
        problems.append(f"{where(key)}: unknown field {key!r}")
    signals: list[Signal] = []
    raw_signals = data.get("signals")
    if "signals" in data and (not isinstance(raw_signals, list) or not raw_signals):
        problems.append(f"{where('signals')}: 'signals' must be a non-empty list")
    elif raw_signals:
        for spec in raw_signals:
            try:
                signals.append(_signal(cid or "?", spec, path, shared))
            except KBError as exc:
                problems.append(str(exc))
    signals_ok = isinstance(raw_signals, list) and len(signals) == len(raw_signals)
    ids = [s.id for s in signals]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        problems.append(f"{where('signals')}: signal id {dup!r} is used twice")
    kinds = {s.id: s.kind for s in signals}
    requires = _strings(data, "requires", path)
    if signals_ok:  # a reference to a signal that failed to load would be a second, false, report
        for s in signals:
            for ref in (s.after, s.then):
                if ref is not None and kinds.get(ref) != "log":
                    problems.append(f"{path}:{s.line}: sequence {s.id!r} must refer to a log signal of this cause, not {ref!r}")
        for ref in requires:
            if ref not in ids:
                problems.append(f"{where('requires')}: 'requires' names unknown signal {ref!r}")
    examples = _examples(data.get("examples"), path, problems)
    if problems:
        raise KBError(problems[0], problems)
    return Cause(cid, str(data["title"]), data["category"], str(data["summary"]).strip(),
                 str(data.get("runbook", cid)), tuple(signals), requires,
                 _strings(data, "next_steps", path), examples, str(path),
                 _strings(data, "sources", path), bool(data.get("symptom", False)))


def _strings(data: Mapping, key: str, path: Path) -> tuple[str, ...]:
    """An optional list of texts (a number or a word is one text); nested lists and mappings are mistakes."""
    raw = data.get(key)
    if raw is None:
        return ()
    raw = raw if isinstance(raw, list) else [raw]
    if any(isinstance(item, (list, dict)) for item in raw):
        raise KBError(f"{path}:{data.line_of(key)}: '{key}' must be a list of texts")
    return tuple(str(item) for item in raw)


def _signal(cid: str, spec, path: Path, shared: dict[str, Pattern]) -> Signal:
    if not isinstance(spec, Mapping):
        raise KBError(f"{path}: each signal must be a mapping")
    line = spec.line
    sid = spec.get("id")
    if not isinstance(sid, str) or not ID_RE.match(sid):
        raise KBError(f"{path}:{line}: signal needs an 'id' of lowercase words joined by '-'")
    weight = spec.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not -1 <= weight <= 1:
        raise KBError(f"{path}:{spec.line_of('weight')}: signal {sid!r} needs a weight in [-1, 1] "
                      "(0: used only inside a sequence)")
    kinds = [k for k in ("log", "use", "fact", "then", "event") if k in spec]
    if len(kinds) != 1:
        raise KBError(f"{path}:{line}: signal {sid!r} needs exactly one of 'log', 'use', 'fact', 'then', 'event'")
    kind = kinds[0]
    for ref in ("use", "fact", "after", "then"):
        if ref in spec and not isinstance(spec[ref], str):
            raise KBError(f"{path}:{spec.line_of(ref)}: signal {sid!r}: '{ref}' must name one signal or fact")
    if kind == "event":
        corroborate = spec.get("corroborate", False)
        if not isinstance(corroborate, bool):
            raise KBError(f"{path}:{spec.line_of('corroborate')}: corroborate must be true or false")
        scope, window = _scope(spec, path)
        return Signal(sid, "event", float(weight), event=_event_filter(spec["event"], path, spec.line_of("event")),
                      line=line, scope=scope, window=window, corroborate=corroborate)
    if kind in ("log", "use"):
        scope, window = _scope(spec, path)
        corroborate = spec.get("corroborate", False)
        if not isinstance(corroborate, bool):
            raise KBError(f"{path}:{spec.line_of('corroborate')}: corroborate must be true or false")
        if kind == "log":
            pattern = Pattern(f"{cid}/{sid}", _pattern(spec["log"], path, spec.line_of("log"), spec.get("case")),
                              _access(spec.get("access"), path, spec.line_of("access")))
        else:
            ref = spec["use"]
            if not isinstance(ref, str) or ref not in shared:
                raise KBError(f"{path}:{spec.line_of('use')}: unknown shared signal {ref!r} (see {SIGNALS_FILE})")
            pattern = shared[ref]
        return Signal(sid, "log", float(weight), pattern=pattern, line=line, scope=scope, window=window,
                      corroborate=corroborate)
    if kind == "fact":
        from faultlens.facts import FACT_NAMES

        if spec["fact"] not in FACT_NAMES:
            raise KBError(f"{path}:{spec.line_of('fact')}: unknown fact {spec['fact']!r} (known: {', '.join(sorted(FACT_NAMES))})")
        return Signal(sid, "fact", float(weight), fact=spec["fact"], line=line)
    within = _duration(spec.get("within", "1h"), path, spec.line_of("within"))
    if "after" not in spec:
        raise KBError(f"{path}:{line}: sequence signal {sid!r} needs 'after' with 'then'")
    return Signal(sid, "sequence", float(weight), after=spec["after"], then=spec["then"], within=within, line=line)


def _pattern(regex, path: Path, line: int, case=None) -> str:
    """A checked pattern; case-insensitive unless `case: sensitive` says there is a reason."""
    if not isinstance(regex, str) or not regex:
        raise KBError(f"{path}:{line}: pattern must be a non-empty string")
    if case not in (None, "sensitive", "insensitive"):
        raise KBError(f"{path}:{line}: case must be 'sensitive' or 'insensitive'")
    written = regex
    if case != "sensitive" and not regex.startswith("(?i)"):
        regex = "(?i)" + regex
    try:
        check_pattern(regex)
    except PatternError as exc:
        raise KBError(f"{path}:{line}: bad pattern {written!r}: {exc}") from None
    return regex


_EVENT_FIELDS = ("errno", "op", "speaker", "object")


def _event_filter(raw, path: Path, line: int) -> EventFilter:
    """`event: {errno: [ENOSPC], op: [watch], object: PATTERN}`: lists of names (a single name is a
    list of one); object is a pattern the event's object must match."""
    if not isinstance(raw, Mapping) or not raw or set(raw) - set(_EVENT_FIELDS):
        raise KBError(f"{path}:{line}: event must map some of {', '.join(_EVENT_FIELDS)} to names")
    fields = {}
    if "object" in raw:
        fields["object"] = _pattern(raw["object"], path, line)
    for key, value in raw.items():
        if key == "object":
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise KBError(f"{path}:{line}: event {key} must be a name or a list of names")
        fields[key] = tuple(values)
    return EventFilter(**fields)


def _scope(spec, path: Path) -> tuple[str, int]:
    """Where a signal against a cause counts (see kb.model.Signal): line, block, run or a number
    of lines around the cause's own evidence. Default: 3 lines."""
    raw = spec.get("scope", 3)
    if raw in ("line", "block", "run"):
        return raw, 0
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 1000:
        return "window", raw
    raise KBError(f"{path}:{spec.line_of('scope')}: scope must be line, block, run or a number of lines (0-1000)")


def _access(value, path: Path, line: int) -> str | None:
    if value is None:
        return None
    if value not in ("r", "w", "x"):
        raise KBError(f"{path}:{line}: access must be r, w or x")
    return value


def _duration(value, path: Path, line: int) -> timedelta:
    m = _DURATION.match(str(value).strip())
    if not m:
        raise KBError(f"{path}:{line}: duration must look like 30s, 15m, 2h or 1d, got {value!r}")
    return timedelta(**{_UNITS[m[2]]: int(m[1])})


def _examples(raw, path: Path, problems: list[str]) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: 'examples' must map 'positive'/'negative' to lists")
        return ()
    out = []
    for polarity in ("positive", "negative"):
        if not isinstance(raw.get(polarity) or [], list):
            raise KBError(f"{path}:{raw.line_of(polarity)}: '{polarity}' must be a list of examples")
        for i, ex in enumerate(raw.get(polarity) or ()):
            if not isinstance(ex, Mapping):
                problems.append(f"{path}:{raw.line_of(polarity)}: each example must be a mapping")
                continue
            inputs = ex.get("inputs")
            if inputs is None and "log" in ex:
                inputs = {"example.log": ex["log"]}
            if not isinstance(inputs, dict) or not inputs:
                problems.append(f"{path}:{ex.line}: example needs 'log' text or 'inputs' (file name -> content)")
                continue
            user = ex.get("user")
            if user is not None and not isinstance(user, str):
                problems.append(f"{path}:{ex.line_of('user')}: example 'user' must be an account name")
                continue
            out.append(Example(str(ex.get("name", f"{polarity} #{i + 1}")),
                               {str(k): str(v) for k, v in inputs.items()}, polarity == "positive",
                               user, ex.line))
    return tuple(out)
