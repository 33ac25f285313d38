"""The benchmark workloads W1-W4, each with the hand-written Python function a user
would write instead of using the engine. ``tests/test_benchmark_workloads.py`` checks
that each pair agrees on every generated event."""

from __future__ import annotations

from typing import Any

W1 = 'type = "track" and event = "Order Completed"'
W2 = ('type = "track" and (event = "Order Completed" or match(event, "Product *")) '
      'and properties.revenue > 100 and !contains(context.library.name, "ios")')
W3 = ('context.page.path in ["/checkout", "/cart", "/"] or '
      '(length(userId) > 0 and lowercase(traits.plan) = "premium")')

W4: dict[str, Any] = {
    "event_name": {"@path": "$.event"},
    "message_id": {"@path": "$.messageId"},
    "timestamp": {"@path": "$.timestamp"},
    "revenue": {"@path": "$.properties.revenue"},
    "currency": {"@path": "$.properties.currency"},
    "user": {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"},
                     "else": {"@path": "$.anonymousId"}}},
    "label": {"@template": "{{event}} on {{context.page.path}}"},
    "items": {"@arrayPath": ["$.properties.products", {
        "id": {"@path": "$.product_id"}, "sku": {"@path": "$.sku"},
        "price": {"@path": "$.price"}}]},
    "page": {"@replace": {"value": {"@path": "$.context.page.url"}, "pattern": "https://",
                          "replacement": ""}},
    "device": {"@flatten": {"value": {"@path": "$.context.device"}, "separator": "."}},
    "kind": {"@case": {"operator": "lower", "value": {"@path": "$.type"}}},
}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def hand_w1(e: dict[str, Any]) -> bool:
    return e.get("type") == "track" and e.get("event") == "Order Completed"


def hand_w2(e: dict[str, Any]) -> bool:
    if e.get("type") != "track":
        return False
    name = e.get("event")
    if not (name == "Order Completed" or (isinstance(name, str) and name.startswith("Product "))):
        return False
    revenue = (e.get("properties") or {}).get("revenue")
    if not (_number(revenue) and revenue > 100):
        return False
    library = ((e.get("context") or {}).get("library") or {}).get("name")
    return not (isinstance(library, str) and "ios" in library)


def hand_w3(e: dict[str, Any]) -> bool:
    path = ((e.get("context") or {}).get("page") or {}).get("path")
    if path in ("/checkout", "/cart", "/"):
        return True
    user = e.get("userId")
    if not (isinstance(user, str) and user):
        return False
    plan = (e.get("traits") or {}).get("plan")
    return isinstance(plan, str) and plan.lower() == "premium"


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out[prefix] = value


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def hand_w4(e: dict[str, Any]) -> dict[str, Any]:
    """The W4 payload for the generated events' shapes (strings, floats, small lists)."""
    props = e.get("properties") or {}
    context = e.get("context") or {}
    page = context.get("page") or {}
    out: dict[str, Any] = {}
    for key, source, field in (("event_name", e, "event"), ("message_id", e, "messageId"),
                               ("timestamp", e, "timestamp"), ("revenue", props, "revenue"),
                               ("currency", props, "currency")):
        if field in source:  # a missing field is left out, null is kept
            out[key] = source[field]
    user = e.get("userId")
    out["user"] = user if user is not None else e.get("anonymousId")
    out["label"] = f"{_text(e.get('event'))} on {_text(page.get('path'))}"
    products = props.get("products")
    if isinstance(products, list):
        out["items"] = [{"id": p.get("product_id"), "sku": p.get("sku"), "price": p.get("price")}
                        for p in products]
    url = page.get("url")
    out["page"] = url.replace("https://", "") if isinstance(url, str) else ""
    device: dict[str, Any] = {}
    _flatten(context.get("device"), "", device)
    out["device"] = device
    out["kind"] = e["type"].lower()
    return out


FQL_WORKLOADS = {"W1": (W1, hand_w1), "W2": (W2, hand_w2), "W3": (W3, hand_w3)}

# Destination Actions triggers (Segment's trigger semantics, not FQL's): T1 is W1 as a
# trigger; T2 the shape of W2 that the condition builder can express.
T1 = W1
T2 = ('type = "track" and (event = "Order Completed" or event = "Product Viewed") '
      'and properties.revenue > 100')


def hand_t2(e: dict[str, Any]) -> bool:
    if e.get("type") != "track" or e.get("event") not in ("Order Completed", "Product Viewed"):
        return False
    revenue = (e.get("properties") or {}).get("revenue")
    return type(revenue) in (int, float) and revenue > 100


TRIGGER_WORKLOADS = {"T1": (T1, hand_w1), "T2": (T2, hand_t2)}
