"""Hostile input never crashes a kernel, and gets the twin's answer or error.

The kernels read events with borrowed pointers and write their results without bounds
checks, which is safe only while no Python code runs behind their back. A caller can
make Python code run in the middle of a read: a dict key whose ``__eq__`` (called when
its hash collides with the key being read) mutates or frees the event, a dict subclass
whose ``get`` or ``items`` grows or shrinks the list being processed, a producer thread
appending to the batch. Each script below does one of those things; it runs in a
subprocess (a SIGSEGV must fail the test, not kill the test run), once with the
kernels and once with ``FQL_PUREPYTHON=1``, and both runs must exit cleanly and print
the same lines: the twin is the reference.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fql.backend import load_kernel

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(load_kernel("_kernel") is None,
                                reason="the Cython kernels were not built")

#: A key whose hash collides with a str key, so that reading that key compares with
#: it; armed, its ``__eq__`` empties ``target`` (freeing what only ``target`` held),
#: then allocates so that freed memory is reused at once; ``RAISE`` makes it raise.
EVIL = """
class Evil:
    armed = False
    mode = "free"

    def __init__(self, name):
        self.name = name
        self.target = None

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        if Evil.armed:
            if Evil.mode == "raise":
                raise LookupError("comparison failed")
            if self.target is not None:
                self.target.clear()
                Evil.junk = [dict.fromkeys(range(j % 40)) for j in range(300)]
        return False

def attempt(fn):
    try:
        print(repr(fn()))
    except Exception as exc:
        print("raised", type(exc).__name__, exc)
"""

SCRIPTS = {
    # matches_many over a list that grows while it is read (issue: the output list was
    # sized once and written past its end).
    "fql_matches_many_growing": """
        import fql
        events = []
        class Grow(dict):
            def get(self, key, default=None):
                if len(events) < 400:
                    events.extend({"type": "track"} for _ in range(50))
                return dict.get(self, key, default)
        events.append(Grow(type="track"))
        events.append({"type": "page"})
        out = fql.compile('type = "track"').matches_many(events)
        print(len(out), len(events), sum(out))
        out = fql.compile('type = "track"').filter(events)
        print(len(out))
    """,
    "fql_matches_many_producer_thread": """
        import collections, threading, fql
        events = [collections.OrderedDict(type="track", n=i) for i in range(2000)]
        stop = False
        def produce():
            while not stop and len(events) < 200000:
                events.append(collections.OrderedDict(type="track"))
        thread = threading.Thread(target=produce)
        thread.start()
        expr = fql.compile('type = "track" and n >= 0 or type = "track"')
        sizes = []
        for _ in range(20):
            out = expr.matches_many(events)
            sizes.append(len(out) <= len(events) and all(out))
        stop = True
        thread.join()
        print(all(sizes))
    """,
    "fql_path_key_eq_frees_event": """
        import fql
        for text in ['context.page.path = "/a"', 'context.page.path',
                     'match(context.page.path, "/*")', 'context.page.path in ["/a", "/b"]',
                     'context.page.path = "/b" or context.page.path = "/a"',
                     'context.page.path != "/b" and context.page.path = "/a"']:
            key = Evil("page")
            event = {"context": {key: 1, "page": {"path": "/a", "pad": "x" * 100}}}
            key.target = event
            Evil.armed = True
            attempt(lambda: fql.compile(text).evaluate(event))
            Evil.armed = False
    """,
    "fql_top_key_eq_frees_value": """
        import fql
        for text in ['type = "track"', 'type = "track" and event = "A"', 'userId',
                     'length(type) > 1']:
            key = Evil("type")
            inner = {"x": 1}
            event = {key: 1, "type": "track", "event": "A", "userId": "u"}
            key.target = inner
            Evil.armed = True
            attempt(lambda: fql.compile(text).evaluate(event))
            Evil.armed = False
    """,
    "fql_key_eq_raises": """
        import fql
        Evil.mode = "raise"
        for text in ['type = "track"', 'context.page.path = "/a"', 'properties.x',
                     'type = "track" and event = "A"', 'type in ["a", "b"]']:
            for place in ("top", "nested"):
                key = Evil("type" if place == "top" else "page")
                if place == "top":
                    event = {key: 1, "type": "track", "event": "A", "properties": {}}
                else:
                    event = {"type": "t", "context": {key: 1, "page": {"path": "/a"}}}
                Evil.armed = True
                attempt(lambda: fql.compile(text).evaluate(event))
                Evil.armed = False
    """,
    "trigger_key_eq_raises_or_frees": """
        import actions
        for mode in ("raise", "free"):
            Evil.mode = mode
            for text in ['type = "track"', 'properties.plan = "premium"',
                         'type = "track" and event = "A"', 'properties.plan != "x"']:
                trigger = actions.Trigger.parse(text)
                key = Evil("plan")
                top = Evil("type")
                event = {top: 1, "type": "track", "event": "A",
                         "properties": {key: 1, "plan": "premium"}}
                key.target = event
                Evil.armed = True
                attempt(lambda: trigger.matches(event))
                Evil.armed = False
    """,
    "mapping_path_key_eq_frees_or_raises": """
        import actions
        for mode in ("free", "raise"):
            Evil.mode = mode
            for mapping in [{"a": {"@path": "$.properties.plan.name"}},
                            {"@template": "{{properties.plan.name}}"},
                            {"@if": {"exists": {"@path": "$.properties.plan"},
                                     "then": {"@path": "$.properties.plan"},
                                     "else": 1}},
                            {"@arrayPath": ["$.properties.plan", {"n": {"@path": "$.name"}}]}]:
                compiled = actions.compile_mapping(mapping)
                key = Evil("plan")
                event = {"properties": {key: 1, "plan": {"name": "gold", "pad": "x" * 50}}}
                key.target = event
                Evil.armed = True
                attempt(lambda: compiled.apply(event))
                Evil.armed = False
    """,
    "mapping_flatten_shrinking_list": """
        import collections, actions
        items = []
        class Shrink(collections.OrderedDict):
            def items(self):
                items.clear()
                Evil.junk = [dict.fromkeys(range(j % 40)) for j in range(300)]
                return super().items()
        items.extend([Shrink(a=1), {"b": 2}, {"c": [3, 4]}, "tail"])
        event = {"properties": {"list": items}}
        compiled = actions.compile_mapping(
            {"@flatten": {"value": {"@path": "$.properties.list"}, "separator": "."}})
        attempt(lambda: compiled.apply(event))
        items.extend([{"b": 2}, Shrink(a=1), {"c": [3, 4]}])
        attempt(lambda: compiled.apply(event))
    """,
    "mapping_batch_growing": """
        import collections, actions
        events = []
        class Grow(collections.OrderedDict):
            def get(self, key, default=None):
                if len(events) < 300:
                    events.extend({"userId": "u"} for _ in range(50))
                return super().get(key, default)
            def items(self):
                if len(events) < 300:
                    events.extend({"userId": "u"} for _ in range(50))
                return super().items()
        events.append(Grow(userId="x"))
        compiled = actions.compile_mapping({"id": {"@path": "$.userId"}})
        out = compiled.apply_batch(events)
        print(len(out) <= len(events), out[0])
    """,
}


def run(script: str, pure: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    env.pop("FQL_PUREPYTHON", None)
    if pure:
        env["FQL_PUREPYTHON"] = "1"
    code = textwrap.dedent(EVIL) + textwrap.dedent(script)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_hostile_input_gets_the_twins_answer(name: str) -> None:
    twin = run(SCRIPTS[name], pure=True)
    assert twin.returncode == 0, twin.stderr
    kernel = run(SCRIPTS[name], pure=False)
    assert kernel.returncode == 0, f"the kernel crashed ({kernel.returncode}):\n{kernel.stderr}"
    assert kernel.stdout == twin.stdout
    assert twin.stdout.strip()
