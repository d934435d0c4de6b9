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
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return _Loader


def load_yaml(text: str):
    """Parse YAML safely (no tags that build objects); mappings come back as Mapping."""
    import yaml

    return yaml.load(text, Loader=_loader())  # noqa: S506 - the loader derives from SafeLoader


def yaml_error() -> type[Exception]:
    import yaml

    return yaml.YAMLError
