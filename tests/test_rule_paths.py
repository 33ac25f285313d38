"""The event fields a rule reads: ``Expression.paths``, ``Trigger.paths``,
``Mapping.paths`` (Segment's value keys), and REPL completion built on them."""

from __future__ import annotations

import pytest

import actions
import fql
from fql.cli.repl import Repl, completions


def test_expression_paths_in_source_order_each_once() -> None:
    expr = fql.compile(r'type = "track" and contains(properties.first\ name, "x") or '
                       r'properties.x in [context.a, 1] and type != "page"')
    assert expr.paths == ("type", r"properties.first\ name", "properties.x", "context.a")
    assert fql.compile("all").paths == ()
    # the text re-parses to the same path
    assert fql.compile(expr.paths[1] + " = 1").paths == (expr.paths[1],)


def test_device_mode_paths_are_the_strings_in_operand_position() -> None:
    device = fql.from_ir('["and",["=","type",{"value":"track"}],'
                         '["in",{"value":"a"},{"value":["properties.x",{"value":"b"}]}],'
                         '["contains","event",{"value":"x"}]]', mode="tsub")
    assert device.paths == ("type", "properties.x", "event")


def test_trigger_paths() -> None:
    trigger = actions.Trigger.parse(
        'type = "track" and (properties.order_id = 1 or context.page.url != null) and '
        'traits.a.b = "x" and event = "E"')
    assert trigger.paths == ("type", "properties.order_id", "context.page.url", "traits.a.b",
                             "event")
    tree = {"type": "group", "operator": "and", "children": [
        {"type": "event-property", "name": "products[0].price", "operator": "=", "value": 1},
        {"type": "mystery", "operator": "=", "value": 1}]}
    assert actions.Trigger.from_conditions(tree).paths == ("properties.products.0.price",)


@pytest.mark.parametrize(("mapping", "keys"), [
    ("https://example.com/hook", ()),
    (False, ()),
    ({}, ()),
    ({"@path": "$.properties.string"}, ("$.properties.string",)),
    ({"value": {"@template": "{{a.b-c.NAME}}-{{test}}"}}, ("a.b-c.NAME", "test")),
    ({"Category": {"@template": "{{x.CATEGORY}}"}, "Id": "test",
      "Name": {"@path": "$.properties.string"}}, ("x.CATEGORY", "$.properties.string")),
    ({"@arrayPath": [{"@template": "{{properties.products}}"},
                     {"productId": {"@template": "{{productId}}"}}]},
     ("properties.products", "productId")),
    ({"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.a"},
              "else": {"@literal": {"@path": "$.not_read"}}}}, ("$.userId", "$.a")),
    ({"@template": "{{ spaced }}"}, (" spaced ",)),  # as written, untrimmed
])
def test_mapping_paths_are_segments_value_keys(mapping: object, keys: tuple[str, ...]) -> None:
    if not isinstance(mapping, dict):
        mapping = {"x": mapping}
    assert actions.compile_mapping(mapping).paths == keys


def test_mapping_paths_include_liquid_variables() -> None:
    pytest.importorskip("liquid")
    mapping = actions.compile_mapping({
        "a": {"@liquid": "{{ traits.name | upcase }}{% if properties.t %}"
                         "{{ properties.arr[0] }}{% endif %}"},
        "b": {"@case": {"operator": "upper", "value": {"@path": "$.event"}}}})
    assert mapping.paths == ("traits.name", "properties.t", "properties.arr[0]", "$.event")


def test_repl_completes_the_fields_the_last_rule_reads() -> None:
    repl = Repl()
    repl.handle("properties.order_id = 1 and context.ip = \"x\"")
    assert "properties.order_id" in completions(repl, "properties.")
    assert completions(repl, "context.i") == ["context.ip"]
    repl.handle(":mode trigger")
    repl.handle('traits.plan = "pro"')
    assert completions(repl, "traits.p") == ["traits.plan"]
    repl.handle(":mode mapping")
    repl.handle('{"x": {"@path": "$.properties.sku"}}')
    assert completions(repl, "properties.s") == ["properties.sku"]
