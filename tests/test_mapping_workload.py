"""The ten-field mapping of the benchmarks against a hand-written function doing the same:
both must give the same payload. Timing lives in ``benchmarks/`` (no timing assertions
in unit tests)."""

from __future__ import annotations

from typing import Any

from actions import compile_mapping

MAPPING = {
    "event_name": {"@path": "$.event"},
    "email": {"@path": "$.traits.email"},
    "revenue": {"@path": "$.properties.revenue"},
    "currency": {"@path": "$.properties.currency"},
    "timestamp": {"@path": "$.timestamp"},
    "user": {
        "@if": {
            "exists": {"@path": "$.userId"},
            "then": {"@path": "$.userId"},
            "else": {"@path": "$.anonymousId"},
        }
    },
    "label": {"@template": "{{event}} by {{userId}}"},
    "items": {
        "@arrayPath": [
            "$.properties.products",
            {
                "id": {"@path": "$.product_id"},
                "sku": {"@path": "$.sku"},
                "price": {"@path": "$.price"},
            },
        ]
    },
    "page": {
        "@replace": {
            "value": {"@path": "$.context.page.url"},
            "pattern": "https://",
            "replacement": "",
        }
    },
    "device": {"@flatten": {"value": {"@path": "$.context.device"}, "separator": "."}},
    "kind": {"@case": {"operator": "lower", "value": {"@path": "$.type"}}},
}

EVENT = {
    "type": "TRACK",
    "event": "Order Completed",
    "userId": "u1",
    "anonymousId": "a1",
    "timestamp": "2024-01-01T00:00:00Z",
    "traits": {"email": "a@b.c"},
    "properties": {
        "revenue": 10.5,
        "currency": "USD",
        "products": [
            {"product_id": "p1", "sku": "s1", "price": 1.0},
            {"product_id": "p2", "sku": "s2", "price": 2.0},
        ],
    },
    "context": {
        "page": {"url": "https://x.com/a"},
        "device": {"type": "ios", "model": "X", "id": "d1", "manufacturer": "Apple"},
    },
}


def hand_written(e: dict[str, Any]) -> dict[str, Any]:
    """The same payload, written directly for this event shape."""
    props = e.get("properties") or {}
    context = e.get("context") or {}
    user = e.get("userId")
    return {
        "event_name": e.get("event"),
        "email": (e.get("traits") or {}).get("email"),
        "revenue": props.get("revenue"),
        "currency": props.get("currency"),
        "timestamp": e.get("timestamp"),
        "user": user if user is not None else e.get("anonymousId"),
        "label": f"{e.get('event')} by {user}",
        "items": [
            {"id": p.get("product_id"), "sku": p.get("sku"), "price": p.get("price")}
            for p in props.get("products") or []
        ],
        "page": (context.get("page") or {}).get("url", "").replace("https://", ""),
        "device": dict(context.get("device") or {}),
        "kind": e["type"].lower(),
    }


def test_ten_field_mapping_agrees_with_hand_written() -> None:
    mapping = compile_mapping(MAPPING)
    assert mapping.apply(EVENT) == hand_written(EVENT)


def test_fifty_field_mapping_compiles() -> None:
    fields = {
        f"f{i}": {"@path": f"$.properties.p{i}"} if i % 3 else {"@template": "{{a}}-{{b.c}}"}
        for i in range(50)
    }
    event = {"a": 1, "b": {"c": 2}, "properties": {"p1": "x"}}
    out = compile_mapping(fields).apply(event)
    assert out["f0"] == "1-2" and out["f1"] == "x" and "f2" not in out
