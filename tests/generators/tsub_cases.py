"""Random device-mode matcher cases (IR and event) for the device-mode reading's
differential test: nested and/or/!, every comparison, ``in``, every tsub function and
the reference functions tsub lacks, operands of every shape (paths reaching JS members,
literals of every JSON type, null, bare numbers, IR held in event data). Prints JSON
lines; ``tests/generators/tsub_oracle.mjs`` adds Segment's answers::

    python tests/generators/tsub_cases.py | node tests/generators/tsub_oracle.mjs \\
        > tests/golden/tsub_device_mode.jsonl
"""

from __future__ import annotations

import json
import random
from typing import Any

rnd = random.Random(7)

PATHS = ["type", "event", "properties.x", "properties.s", "properties.arr",
         "properties.arr.0", "properties.arr.length", "properties.s.length", "properties.o",
         "properties.o.a", "properties.n", "properties.missing", "properties.zero.x",
         "properties.x.constructor", "properties.s.toString", "context.__proto__",
         "properties.emoji", "userId", "properties.nil"]
LITERALS: list[Any] = [None, True, False, 0, 1, -1, 2.5, "", "a", "ab", "track", "ア", "🎉",
                       [], ["a"], {"a": 1}, {}]
ARITY = {"lowercase": 1, "length": 1, "typeof": 1, "contains": 2, "match": 2, "semver": 3,
         "uppercase": 1}
GLOBS = ["a*", "*a", "?", "??", "[a-c]*", "*", "\\*", "a[", "[^a]b"]


def operand(depth: int) -> Any:
    r = rnd.random()
    if r < 0.45:
        return rnd.choice(PATHS)
    if r < 0.8:
        value = rnd.choice(LITERALS)
        if isinstance(value, list):
            value = [{"value": x} if rnd.random() < 0.5 else x for x in value]
        return {"value": value}
    if r < 0.85:
        return rnd.choice([None, 3, True, {"nope": 1}])
    return call(depth + 1)


def call(depth: int) -> list[Any]:
    name = rnd.choice(list(ARITY))
    args = [operand(depth + 1) for _ in range(ARITY[name])]
    if name == "match" and rnd.random() < 0.7:
        args[1] = {"value": rnd.choice(GLOBS)}
    if name == "semver":
        args[1] = {"value": rnd.choice(["=", ">", "<=", "!="])}
        args[2] = {"value": rnd.choice(["1.2", "1.2.3", "v1", "1.2.3.4"])}
    return [name, *args]


def condition(depth: int = 0) -> Any:
    r = rnd.random()
    if depth < 3 and r < 0.25:
        return [rnd.choice(["and", "or"]),
                *[condition(depth + 1) for _ in range(rnd.randint(1, 3))]]
    if depth < 3 and r < 0.33:
        return ["!", condition(depth + 1)]
    if r < 0.75:
        return [rnd.choice(["=", "!=", "<", "<=", ">", ">="]), operand(depth), operand(depth)]
    if r < 0.85:
        lists = [{"value": [{"value": "a"}, "type", {"value": 1}]}, "properties.arr",
                 operand(depth)]
        return ["in", operand(depth), rnd.choice(lists)]
    if r < 0.95:
        return call(depth)
    return operand(depth)


def event() -> dict[str, Any]:
    properties = {
        "x": rnd.choice([None, 0, 1, "a", "", "ア", [1], {"a": 1}, True, ["length", "event"]]),
        "s": rnd.choice(["ab", "ア🎉", "", None]),
        "arr": rnd.choice([["a", "type"], [], [1, 2], ["length", "event"]]),
        "o": rnd.choice([{"a": 1}, {"a": 1, "b": 2}, {"b": 2, "a": 1}, {}]),
        "n": rnd.choice([1, 2.5, -1, 0, "1"]), "zero": 0, "emoji": "🎉", "nil": None,
    }
    if rnd.random() < 0.3:
        del properties["x"]
    return {"type": rnd.choice(["track", "page"]), "event": rnd.choice(["Order", "a", ""]),
            "userId": rnd.choice([None, "u1"]), "properties": properties, "context": {}}


if __name__ == "__main__":
    for i in range(800):
        case = {"id": f"tsub-fuzz-{i:04d}", "ir": json.dumps(condition()), "event": event()}
        print(json.dumps(case, ensure_ascii=False))
