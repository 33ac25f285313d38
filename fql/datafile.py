"""Rule, test and configuration files (JSON or YAML), loaded safely and within
:class:`~fql.limits.YamlLimits`.

JSON text is depth-checked before ``json.loads`` (whose recursion would end in
``RecursionError`` on a few hundred kilobytes of ``[``) with
:func:`fql.values.json_text_depth`. YAML needs more:

PyYAML's safe loader builds only JSON-like values, but it happily composes a document
whose aliases expand to billions of values (an "alias bomb": a few hundred bytes), whose
nesting exhausts the Python stack, or whose aliases form a cycle; the stages after it
(pydantic, the linter, copies) then walk the expansion and never finish. Here the
document is composed first, with its depth bounded while composing, and its node graph
is then measured without expanding it (each node's size and depth computed once, as
for a DAG, cycles refused) before a single Python value is built. The alternative,
refusing every alias, would break files that use anchors to share a block, which is
what they are for.

The loader also drops YAML's implicit timestamps: ``2024-05-01`` in an event or a
mapping is the string JSON would hold, not a ``datetime`` no rule can read.

PyYAML is an optional extra (``fql-engine[yaml]``); its absence is a :class:`YamlError`
naming the extra.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import FqlError
from .limits import DEFAULT_YAML_LIMITS, YamlLimits
from .values import json_text_depth

#: The code of every loading problem but JSON syntax (YAML syntax, limits, unsafe tags,
#: a missing extra).
YAML_ERROR = "FQL700"


class YamlError(FqlError, ValueError):
    """A YAML document that cannot be loaded: not YAML, over a :class:`YamlLimits`
    limit, a tag the safe loader refuses (``!!python/...``), or PyYAML not installed.
    ``problem_mark`` (with 0-based ``line`` and ``column``) says where, when known."""

    code = YAML_ERROR

    def __init__(self, message: str, *, problem_mark: Any = None) -> None:
        #: the problem without its place, for tools that show it next to the place
        self.problem = message
        if problem_mark is not None:
            message = f"line {problem_mark.line + 1}, column {problem_mark.column + 1}: " \
                      f"{message}"
        super().__init__(message)
        self.problem_mark = problem_mark


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise YamlError("reading YAML needs PyYAML (pip install 'fql-engine[yaml]')") \
            from None
    return yaml


_NOT_JSON_TAGS = tuple(f"tag:yaml.org,2002:{name}" for name in ("binary", "set", "omap",
                                                                  "pairs", "timestamp"))


def _loader_class(limits: YamlLimits) -> type:
    yaml = _yaml()

    # the pure-Python composer, so depth is counted; ``yaml`` is imported at run time
    class BoundedLoader(yaml.SafeLoader):  # type: ignore[name-defined]
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > limits.max_depth:
                    raise YamlError(
                        f"YAML nested deeper than {limits.max_depth} levels "
                        "(YamlLimits.max_depth)", problem_mark=self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def not_json(loader: Any, node: Any) -> Any:
        raise YamlError(f"{node.tag} values are not JSON", problem_mark=node.start_mark)

    for tag in _NOT_JSON_TAGS:  # bytes, sets, tuples: nothing a rule could read as JSON
        BoundedLoader.add_constructor(tag, not_json)
    BoundedLoader.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return BoundedLoader


def compose_yaml(text: str, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> Any:
    """The node graph of the YAML document ``text`` (``None`` for an empty document),
    checked against ``limits``; raises :class:`YamlError`."""
    return _compose(text, limits)[0]


def load_yaml(text: str, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> Any:
    """The JSON-like value of the YAML document ``text``, checked against ``limits``
    before it is built; raises :class:`YamlError`."""
    node, loader = _compose(text, limits)
    if node is None:
        return None
    yaml = _yaml()
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _wrapped(exc) from None
    finally:
        loader.dispose()


def _compose(text: str, limits: YamlLimits) -> tuple[Any, Any]:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise YamlError(f"YAML document is {size} bytes; the limit is {limits.max_bytes} "
                        "(YamlLimits.max_bytes)")
    yaml = _yaml()
    loader = _loader_class(limits)(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _wrapped(exc) from None
    if node is not None:
        _measure(node, limits)
    return node, loader


def _wrapped(exc: Exception) -> YamlError:
    problem = ", ".join(filter(None, (getattr(exc, "context", None),
                                      getattr(exc, "problem", None)))) or str(exc)
    return YamlError(problem, problem_mark=getattr(exc, "problem_mark", None))


def _measure(root: Any, limits: YamlLimits) -> None:
    """Refuse a graph whose expansion is deeper than ``max_depth``, larger than
    ``max_values`` or cyclic: sizes and depths are computed once per node (post-order,
    without recursion), so an alias bomb costs as much as its text."""
    yaml = _yaml()
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            kids = _children(node, yaml)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            open_nodes.discard(key)
            if size[key] > limits.max_values:
                raise YamlError(
                    f"YAML expands to more than {limits.max_values} values with its aliases "
                    "(YamlLimits.max_values)", problem_mark=node.start_mark)
            if depth[key] > limits.max_depth:
                raise YamlError(
                    f"YAML nested deeper than {limits.max_depth} levels with its aliases "
                    "(YamlLimits.max_depth)", problem_mark=node.start_mark)
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise YamlError("YAML aliases form a cycle", problem_mark=node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node, yaml) if id(child) not in size)


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_json(text: str | bytes, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> Any:
    """The value of the JSON document ``text``: :class:`YamlError` past ``max_bytes``
    or ``max_depth`` (checked before parsing), ``ValueError`` when it is not JSON."""
    if len(text) > limits.max_bytes:
        raise YamlError(f"JSON document is {len(text)} bytes; the limit is "
                        f"{limits.max_bytes} (YamlLimits.max_bytes)")
    if json_text_depth(text) > limits.max_depth:
        raise YamlError(f"JSON nested deeper than {limits.max_depth} levels "
                        "(YamlLimits.max_depth)")
    return json.loads(text)


def load_data(text: str, suffix: str, limits: YamlLimits = DEFAULT_YAML_LIMITS) -> Any:
    """``text`` as YAML when ``suffix`` is ``.yaml``/``.yml``, else as JSON."""
    if suffix.lower() in (".yaml", ".yml"):
        return load_yaml(text, limits)
    return load_json(text, limits)


__all__ = ["YAML_ERROR", "YamlError", "compose_yaml", "load_data", "load_json", "load_yaml"]
