"""A seeded generator of realistic Segment events for the benchmarks.

All five common event types (track, page, screen, identify, group), nested context
(library, page, device, os, campaign), properties with a products array, traits,
consent preferences, and the type noise real pipelines see: revenue sent as a string,
empty or missing userId, plans in mixed case, null fields.
"""

from __future__ import annotations

import random
from typing import Any

EVENT_NAMES = ["Order Completed", "Product Viewed", "Product Added", "Product Removed",
               "Checkout Started", "Signed Up", "Video Content Playing", "Button Clicked"]
LIBRARIES = [("analytics.js", "2.11.1"), ("analytics-ios", "4.1.8"),
             ("analytics-android", "4.10.0"), ("analytics-node", "6.2.0")]
PATHS = ["/", "/cart", "/checkout", "/pricing", "/blog/post", "/products/42"]
PLANS = ["free", "pro", "premium", "Premium", "PREMIUM", None]


def make_event(rng: random.Random, i: int) -> dict[str, Any]:
    kind = rng.choices(["track", "page", "screen", "identify", "group"], [6, 2, 1, 1, 1])[0]
    lib = rng.choice(LIBRARIES)
    event: dict[str, Any] = {
        "type": kind,
        "messageId": f"msg-{i}",
        "timestamp": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000Z",
        "anonymousId": f"anon-{rng.randrange(10_000)}",
        "context": {
            "library": {"name": lib[0], "version": lib[1]},
            "page": {"path": rng.choice(PATHS), "url": f"https://shop.example.com{rng.choice(PATHS)}",
                     "title": "Shop"},
            "device": {"type": rng.choice(["ios", "android", "desktop"]),
                       "model": rng.choice(["iPhone15,2", "Pixel 8", None]),
                       "manufacturer": rng.choice(["Apple", "Google"])},
            "os": {"name": rng.choice(["iOS", "Android", "Mac OS"]), "version": "17.1"},
            "consent": {"categoryPreferences": {"analytics": rng.random() < 0.8,
                                                "advertising": rng.random() < 0.5}},
        },
    }
    user = rng.random()
    if user < 0.7:
        event["userId"] = f"user-{rng.randrange(5_000)}"
    elif user < 0.8:
        event["userId"] = ""
    elif user < 0.85:
        event["userId"] = None
    if kind == "track":
        event["event"] = rng.choice(EVENT_NAMES)
        revenue: Any = round(rng.uniform(1, 400), 2)
        if rng.random() < 0.1:
            revenue = str(revenue)  # type noise: revenue as a string
        event["properties"] = {
            "revenue": revenue,
            "currency": rng.choice(["USD", "EUR"]),
            "products": [
                {"product_id": f"p{k}", "sku": f"SKU-{rng.randrange(100)}",
                 "price": round(rng.uniform(1, 90), 2), "quantity": rng.randrange(1, 4)}
                for k in range(rng.randrange(0, 4))
            ],
        }
    elif kind in ("page", "screen"):
        event["name"] = rng.choice(["Home", "Pricing", "Cart"])
        event["properties"] = {"title": event["name"]}
    else:
        event["traits"] = {"email": f"person{i}@example.com", "plan": rng.choice(PLANS)}
    if kind != "identify" and rng.random() < 0.3:
        event["traits"] = {"plan": rng.choice(PLANS)}
    return event


def generate(n: int, seed: int = 20241122) -> list[dict[str, Any]]:
    """``n`` events, the same ones for the same seed."""
    rng = random.Random(seed)
    return [make_event(rng, i) for i in range(n)]
