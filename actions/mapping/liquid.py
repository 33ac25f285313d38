"""``@liquid`` on python-liquid, restricted the way Segment restricts liquidjs.

Segment's mapping kit (``liquid-directive.ts``) disables the tags ``case for include
layout render tablerow`` and a list of array filters, caps templates at 1,000
characters, and gives liquidjs a 500 ms render limit and a memory limit. Here:

* disabled tags are removed from the environment, so a template using one fails to
  parse (liquidjs fails at parse time too) and the directive throws when reached;
* disabled filters are replaced by filters that throw when they run (as in liquidjs);
* every filter call checks a deadline (``MappingLimits.liquid_render_ms``) and the size
  of what it produced (``max_liquid_output``); every output checks the size of the
  text rendered so far; every range (``(1..n)``, ``n`` possibly from the event) checks
  its length when it is evaluated (``max_liquid_iterations``), before a filter
  (``join``, ``sum``) or ``contains`` walks it. With loops disabled a template runs each
  of its (at most 1,000 characters of) tags once, and every other value a filter walks
  is bounded by the event or by the output cap, so these checks bound a render's time
  and memory (python-liquid's own ``output_stream_limit`` is not used: it counts UTF-8
  bytes and fails on the lone surrogates JSON strings may hold);
* output is printed the JS way: numbers as JS prints them, ``null`` as ``""``, arrays
  concatenated without separator, objects as ``[object Object]``.

python-liquid is an optional extra (``fql-engine[liquid]``); it is imported on first
use, and its absence is a compile-time error naming the extra.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from fql.js import MAX_SAFE_INTEGER, join_surrogates, js_int, js_number
from fql.limits import DEFAULT_EVENT_DEPTH, too_deep_message

from .errors import MappingError, MappingInputError, MappingRuntimeError
from .limits import MappingLimits
from .liquid_js import disabled_filter_error, disabled_tag, if_branch_errors, rewire
from .liquid_js import install as install_liquidjs

#: liquid-directive.ts ``disabledTags`` and ``disabledFilters``.
DISABLED_TAGS = ("case", "for", "include", "layout", "render", "tablerow")
DISABLED_FILTERS = (
    "array_to_sentence_string", "concat", "find", "find_exp", "find_index", "find_index_exp",
    "group_by", "group_by_exp", "has", "has_exp", "map", "newline_to_br", "reject",
    "reject_exp", "reverse", "sort", "sort_natural", "uniq", "where_exp", "type",
)  # fmt: skip


# A key spelled like a Liquid keyword after a dot (``properties.empty``) is a plain
# property in liquidjs; python-liquid reads the keyword. Such keys are rewritten to
# bracket form inside tags and outputs before parsing.
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
#: liquidjs ignores a ``|`` with no filter after it (``{{ x | }}``).
_EMPTY_FILTER = re.compile(r"\|\s*(?=-?\}\}\Z)")
_KEYWORD_KEY = re.compile(r"(?<=[\w\]])\.(empty|blank|nil|null|true|false|and|or|contains|in)\b")


class LiquidUnavailable(RuntimeError):
    """python-liquid is not installed."""


# (deadline, output cap, iteration cap) of the render running in this thread / task
_budget: contextvars.ContextVar[tuple[float, int, int]] = contextvars.ContextVar(
    "liquid_budget")


def liquid_string(value: Any, depth: int = DEFAULT_EVENT_DEPTH) -> str:
    """How liquidjs prints a value: ``String()`` rules, ``null``/undefined empty, arrays
    concatenated without separator (nested at most ``depth`` levels: deeper, or cyclic,
    is a MappingInputError)."""
    if isinstance(value, str):
        return value
    if value is None or value.__class__.__name__.endswith("Undefined"):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return js_number(value if abs(value) <= MAX_SAFE_INTEGER else js_int(value))
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, (list, tuple, range)):
        if depth <= 0:
            raise MappingInputError(too_deep_message("max_value_depth"))
        return "".join(liquid_string(item, depth - 1) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _disabled(name: str) -> Callable[..., Any]:
    def disabled(*_args: Any, **_kwargs: Any) -> Any:
        raise disabled_filter_error(name)

    return disabled


def _guarded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that first checks the render's deadline, then the size of its result."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        deadline, cap, _ = _budget.get()
        if time.monotonic() > deadline:
            raise MappingRuntimeError(_TIME_LIMIT)
        result = func(*args, **kwargs)
        if isinstance(result, str) and len(result) > cap:
            raise MappingRuntimeError(
                f'filter "{name}" output exceeds {cap} characters '
                "(MappingLimits.max_liquid_output)")
        return result

    for attr in ("with_context", "with_environment"):
        if hasattr(func, attr):
            setattr(guarded, attr, getattr(func, attr))
    return guarded


_TIME_LIMIT = "liquid render time limit exceeded (MappingLimits.liquid_render_ms)"


def _checked_range(made: range) -> range:
    """``made`` if it has at most ``max_liquid_iterations`` items (counted, not ``len``,
    which overflows past ``sys.maxsize``)."""
    iterations = _budget.get()[2]
    size = max(0, made.stop - made.start)
    if size > iterations:
        raise MappingRuntimeError(
            f"liquid range of {size} items; the limit is {iterations} "
            "(MappingLimits.max_liquid_iterations)")
    return made


def _bound_ranges(template: Any, bounded: type) -> None:
    """Make every range literal of the parsed ``template`` a ``bounded`` one (the same
    node with :func:`_checked_range` applied when it is evaluated). python-liquid's
    parser builds its own ``RangeLiteral`` nodes, so they are re-classed after parsing
    rather than the library patched for every user in the process."""
    from liquid.builtin.expressions.primitive import RangeLiteral
    from liquid.context import RenderContext

    static = RenderContext(template)
    nodes = list(template.nodes)
    expressions: list[Any] = []
    while nodes:
        node = nodes.pop()
        expressions.extend(node.expressions())
        nodes.extend(node.children(static, include_partials=False))
    while expressions:
        expression = expressions.pop()
        if type(expression) is RangeLiteral:
            expression.__class__ = bounded
        expressions.extend(expression.children())


def _write_output(buffer: Any, text: str) -> int:
    """Write one output's text, first checking that the render stays within
    ``max_liquid_output`` (so memory is bounded while rendering, not after)."""
    cap = _budget.get()[1]
    if len(text) > cap or buffer.tell() + len(text) > cap:
        raise MappingRuntimeError(_OUTPUT_LIMIT.format(cap=cap))
    return int(buffer.write(text))


_OUTPUT_LIMIT = "liquid output exceeds {cap} characters (MappingLimits.max_liquid_output)"


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The restricted environment (built once; python-liquid environments are
    thread-safe for rendering)."""
    try:
        import liquid
        from liquid.builtin.expressions.primitive import RangeLiteral
        from liquid.builtin.output import Output, OutputNode
        from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
    except ImportError:
        raise LiquidUnavailable(
            "@liquid needs python-liquid (pip install fql-engine[liquid])"
        ) from None

    class JsOutputNode(OutputNode):
        def render_to_output(self, context: Any, buffer: Any) -> int:
            return _write_output(buffer, liquid_string(self.expression.evaluate(context)))

    class JsEchoNode(EchoNode):
        def render_to_output(self, context: Any, buffer: Any) -> int:
            return _write_output(buffer, liquid_string(self.expression.evaluate(context)))

    class JsOutput(Output):
        node_class = JsOutputNode

    class BoundedRange(RangeLiteral):
        __slots__ = ()

        def _make_range(self, start: Any, stop: Any) -> range:
            return _checked_range(super()._make_range(start, stop))

    class JsEcho(EchoTag):
        node_class = JsEchoNode

    class SegmentEnvironment(liquid.Environment):
        shorthand_indexes = True  # liquidjs reads `products.0.sku`

        def setup_tags_and_filters(self, *, extra: bool = False) -> None:
            super().setup_tags_and_filters(extra=extra)
            self.add_tag(JsOutput)
            self.add_tag(JsEcho)
            install_liquidjs(self)  # liquidjs's filters, tags and reads (liquid_js.py)
            for tag in DISABLED_TAGS:
                self.add_tag(disabled_tag(tag))
            for name, func in list(self.filters.items()):
                self.filters[name] = _guarded(name, func)
            for name in DISABLED_FILTERS:
                self.filters[name] = _disabled(name)

    env = SegmentEnvironment(strict_filters=False)  # liquidjs skips unknown filters
    env.bounded_range = BoundedRange  # type: ignore[attr-defined]
    return env


def compile_liquid(template: str, where: str, limits: MappingLimits) -> Callable[[Any], str]:
    """Parse ``template`` now; return the render function of the node. Raises
    LiquidUnavailable, or MappingRuntimeError when the template does not parse (the
    compiler turns that into a throw at run time, where liquidjs throws)."""
    env = _environment()
    from liquid.exceptions import LiquidError

    misordered = if_branch_errors(template)
    if misordered is not None:
        raise MappingRuntimeError(misordered, path=where)
    try:
        parsed = rewire(env.from_string(
            _MARKUP.sub(lambda m: _EMPTY_FILTER.sub(
                "", _KEYWORD_KEY.sub(r'["\1"]', m.group())), template)
        ))
    except LiquidError as exc:
        raise MappingRuntimeError(_message(exc), path=where) from None
    _bound_ranges(parsed, env.bounded_range)

    budget_ms = limits.liquid_render_ms
    cap = limits.max_liquid_output
    iterations = limits.max_liquid_iterations

    def render(payload: Any) -> str:
        start = time.monotonic()
        token = _budget.set((start + budget_ms / 1000.0, cap, iterations))
        try:
            text = join_surrogates(parsed.render(payload if isinstance(payload, dict) else {}))
        except MappingError as exc:
            raise type(exc)(exc.problems[0].message, path=where) from None
        except (LiquidError, ArithmeticError, ValueError, TypeError) as exc:
            raise MappingRuntimeError(_message(exc), path=where) from None
        finally:
            _budget.reset(token)
        if (time.monotonic() - start) * 1000.0 > budget_ms:
            raise MappingRuntimeError(_TIME_LIMIT, path=where)
        if len(text) > cap:
            raise MappingRuntimeError(_OUTPUT_LIMIT.format(cap=cap), path=where)
        return text

    return render


def _message(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def liquid_variables(template: str) -> list[str]:
    """The variable paths a template reads (liquidjs's ``fullVariablesSync``, which the
    mapping kit's value keys use): ``properties.s``, ``properties.arr[0]``; ``[]`` for a
    template that does not parse. Order: where each first appears in the text."""
    from liquid.exceptions import LiquidError

    try:
        found = _environment().from_string(template).variable_paths()
    except LiquidError:
        return []
    return sorted(found, key=lambda p: (template.find(p) % (len(template) + 1), p))
