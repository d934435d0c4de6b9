"""Safe YAML loading that remembers the line of every mapping key, for errors that say where."""

from __future__ import annotations

from functools import cache


class Mapping(dict):
    """A dict from YAML that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@cache
def _loader():
    """libyaml's parser when present (several times faster); safe construction either way.
    Built on first use: a run served from the cache never imports yaml."""
    import yaml

    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
        loader.flatten_mapping(node)
        out = Mapping()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found a key that is a list or a mapping", key_node.start_mark) from None
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return _Loader


# What one YAML document may expand to: aliases share one object, but whoever walks it (str(),
# a loop over a list of lists) pays for every expansion: 527 bytes can stand for 10^8 values.
MAX_VALUES = 100_000  # lists, mappings and scalars, counted as often as aliases repeat them
MAX_CHARS = 4 << 20  # characters of all strings, likewise
MAX_DEPTH = 100


class YAMLBoundError(ValueError):
    """A YAML document over a bound (expansion through aliases, nesting, size); the message
    names the source."""


def load_yaml(text: str, source: str = "<yaml>"):
    """Parse YAML safely (no tags that build objects), within the bounds above; mappings come back
    as Mapping. Raises yaml.YAMLError (bad YAML) or YAMLBoundError."""
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - the loader derives from SafeLoader
    except RecursionError:
        raise YAMLBoundError(f"{source}: YAML nested too deeply") from None
    _check_bounds(data, source)
    return data


def safe_load_bounded(text: str, source: str):
    """yaml.safe_load for documents from outside (run.yaml, --kb files): the same plain data, but
    a document that expands past MAX_VALUES values or MAX_CHARS characters through aliases, nests
    deeper than MAX_DEPTH or refers to itself raises YAMLBoundError naming `source`; bad YAML,
    an impossible unquoted date included, raises yaml.YAMLError."""
    import yaml

    try:
        return load_yaml(text, source)
    except ValueError as exc:  # an impossible date (2026-02-30): PyYAML raises ValueError, not YAMLError
        if isinstance(exc, YAMLBoundError):
            raise
        raise yaml.YAMLError(f"{source}: {exc}") from None


def _check_bounds(data, source: str) -> None:
    """Count what walking `data` would cost, each shared object once (memoized), so a bomb is
    measured in the time of its size on disk."""
    sizes: dict[int, tuple[int, int]] = {}  # id -> (values, chars), expanded
    on_path: set[int] = set()
    stack: list[tuple[object, int, bool]] = [(data, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        key = id(node)
        if done:
            on_path.discard(key)
            values = chars = 0
            for child in _children(node):
                v, c = _size(child, sizes)
                values, chars = values + v, chars + c
            sizes[key] = (values + 1, chars)
            if values > MAX_VALUES or chars > MAX_CHARS:
                raise YAMLBoundError(f"{source}: YAML expands to more than {MAX_VALUES} values or "
                                     f"{MAX_CHARS >> 20} MiB of text (aliases repeating aliases)")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YAMLBoundError(f"{source}: YAML refers to itself (a recursive alias)")
        if depth > MAX_DEPTH:
            raise YAMLBoundError(f"{source}: YAML nested deeper than {MAX_DEPTH} levels")
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))


def _children(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield v
    else:
        yield from node


def _size(value, sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    if isinstance(value, (list, dict)):
        return sizes[id(value)]
    return 1, len(value) if isinstance(value, str) else 1


def yaml_error() -> tuple[type[Exception], ...]:
    """What load_yaml raises for a document it will not give: catch these."""
    import yaml

    return (yaml.YAMLError, YAMLBoundError)
