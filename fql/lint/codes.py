# ruff: noqa: E501  (the entries are data: one explanation per line, examples whole)
"""The documentation of every code, as ``fql lint --explain CODE`` prints it.

One entry per code: a one-line summary, a plain-text explanation (what the engine or
Segment does, and why it matters), and an example before and after the fix. Kept as
text rather than gathered from docstrings, so that printing one needs no import of the
checkers (``fql lint`` starts in a few tens of milliseconds) and so that the words are
written for the person whose CI just failed, not for the engine's maintainers. A test
checks that every code raised anywhere has an entry with both examples, and that each
FQL, trigger and mapping example really gets its code before the fix and not after.

Entry format: ``== CODE kind``, the summary line, the explanation, then ``before:``
and ``after:`` (one line each). ``kind`` says which checker the examples are for
(``fql``, ``trigger``, ``mapping``; anything else is shown, not run).
"""

from __future__ import annotations

from functools import lru_cache

from ..records import record


@record
class CodeDoc:
    code: str
    kind: str
    summary: str
    explanation: str
    before: str
    after: str

    def render(self) -> str:
        """The ``--explain`` text, wrapped for a terminal."""
        import textwrap

        return (f"{self.code}: {self.summary}\n\n{textwrap.fill(self.explanation, 88)}\n\n"
                f"Before:\n    {self.before}\nAfter:\n    {self.after}\n")


TEXT = r"""
== FQL000 other
An error about a rule or an event with no more specific code.
Raised when something went wrong that none of the other codes describes. The message says what; if it is not clear, please report it.
before: a rule or event the engine could not handle
after: the rule or event corrected as the message says

== FQL100 other
The rule is not a string.
An FQL rule is text. A number, a list or null where the rule belongs (in a filter's "if", a test case's "fql") is rejected.
before: {"if": 5}
after: {"if": "properties.count = 5"}

== FQL101 fql
A character that cannot start any FQL token.
Paths are letters, digits, _ and -, separated by dots; any other character in a field name must be written after a backslash. Outside a path the character is not part of FQL at all.
before: properties.price$ > 100
after: properties.price\$ > 100

== FQL102 fql
A token where it cannot go; the message lists what could come next.
The parser read the rule up to this token and nothing in FQL can continue that way: two values in a row, an operator with nothing before it, a keyword in the wrong place.
before: type = "track" "identify"
after: type = "track" or type = "identify"

== FQL103 fql
The expression ends too early.
The rule stops where FQL still expects something: after "and", "or", "!" or an operator.
before: type = "track" and
after: type = "track" and event = "Order Completed"

== FQL104 fql
'==' is not an FQL operator.
FQL compares with a single '='. '==' is what many languages use; FQL rejects it.
before: type == "track"
after: type = "track"

== FQL105 fql
'&&' is not an FQL operator.
FQL joins conditions with the word 'and'.
before: type = "track" && event = "Signed Up"
after: type = "track" and event = "Signed Up"

== FQL106 fql
'||' is not an FQL operator.
FQL joins alternatives with the word 'or'.
before: type = "track" || type = "page"
after: type = "track" or type = "page"

== FQL107 fql
Keywords are lower case: 'AND', 'OR' and 'IN' are read as field names.
FQL's keywords are and, or and in, written in lower case. In capitals they are field paths, so the rule does not parse.
before: type = "track" AND event = "Signed Up"
after: type = "track" and event = "Signed Up"

== FQL108 fql
A string is never closed.
A string starts with a quote and runs to the next quote of the same kind; this one reaches the end of the rule.
before: event = "Order Completed
after: event = "Order Completed"

== FQL109 fql
Unbalanced parentheses or brackets.
Every '(' needs a ')' and every '[' a ']', in order.
before: (type = "track" and event = "A"
after: (type = "track" and event = "A")

== FQL110 fql
An unknown function.
FQL has a fixed set of functions: contains, match, length, lowercase, uppercase, snakecase, kebabcase, titlecase, typeof, bool, string, number (and semver in device mode). The hint names the closest one.
before: lenght(userId) > 0
after: length(userId) > 0

== FQL111 fql
A function called with the wrong number of arguments.
Each function takes a fixed number of arguments; the hint shows how it is called.
before: contains(event)
after: contains(event, "Order")

== FQL112 fql
An operator with no value after it.
A comparison needs a value on both sides.
before: properties.plan =
after: properties.plan = "pro"

== FQL113 other
An empty rule.
A rule needs at least one condition. To match every event, write all.
before: " "
after: all

== FQL114 fql
Comparisons cannot be chained.
a = b = c is not FQL: each comparison has one value on each side. Join comparisons with and / or.
before: properties.a = properties.b = 1
after: properties.a = 1 and properties.b = 1

== FQL115 fql
'not' is not an FQL operator.
FQL negates with '!'. Put the condition to negate in parentheses after it.
before: not type = "track"
after: !(type = "track")

== FQL200 other
A well-formed rule that cannot run: a function given a value of the wrong type.
The rule parses, but an argument's type is one the function never accepts, so the rule is rejected.
before: contains(userId, 5)
after: contains(userId, "5")

== FQL201 fql
A literal argument of the wrong type for the function.
contains and match take text. A number or a boolean written where text belongs is rejected rather than quietly converted.
before: contains(userId, 5)
after: contains(userId, "5")

== FQL301 fql
'<', '<=', '>' or '>=' against true, false, null or a list: always false.
Ordering is defined between two numbers or between two strings only, so this comparison is false for every event.
before: properties.total > true
after: properties.total > 0

== FQL302 fql
'<', '<=', '>' or '>=' against a string compares text, not numbers.
Strings compare character by character: "10" < "9" is true. That is right for ISO-8601 timestamps, but a numeric field compared with a quoted number never matches, because a number and a string are never ordered.
before: properties.total > "100"
after: properties.total > 100

== FQL303 fql
'=' with a quoted true, false or number compares with a string.
'=' never converts types: the boolean true is not the string "true", and the number 5 is not the string "5". A boolean or numeric field never equals the quoted value.
before: properties.vip = "true"
after: properties.vip = true

== FQL304 fql
A comparison whose answer is the same for every event.
Both sides are literals, or the two sides always have different types (typeof(x) = 5, a string ordered against a number), or 'in' is given something other than a list on its right. The message says whether it is always true or always false.
before: typeof(properties.total) = 5
after: typeof(properties.total) = "number"

== FQL305 fql
typeof() compared with a name it never returns.
typeof returns one of string, number, bool, null, list, object. Names from other languages (boolean, array, undefined, integer) never match.
before: typeof(properties.tags) = "array"
after: typeof(properties.tags) = "list"

== FQL306 fql
match() with swapped arguments, or with a pattern that has no wildcard.
match(text, pattern) takes the field first and the glob pattern second. A pattern without *, ? or [ is a plain equality; use '=' (or contains() for a substring).
before: match("Order *", event)
after: match(event, "Order *")

== FQL307 fql
A bare field used as a condition is true only when it holds the boolean true.
A field on its own is not "is set": the string "true", 1 and any other value are false. Compare explicitly.
before: properties.enabled and type = "track"
after: properties.enabled = true and type = "track"

== FQL308 fql
received_at, sent_at and original_timestamp are not Spec field names.
The Spec names these fields receivedAt, sentAt and originalTimestamp, and paths are spelling- and case-exact, so the snake_case names read a missing field.
before: received_at > "2024-01-01"
after: receivedAt > "2024-01-01"

== FQL309 fql
semver() exists only in device-mode rules.
Server-side destination filters reject semver(); a rule meant for both must not use it.
before: semver(context.app.version, ">=", "2.0")
after: context.app.version >= "2.0"

== FQL310 fql
A field compared with a word that is not a field: most likely a string without its quotes.
A word without quotes is a field path. properties.plan = pro compares two fields (and a missing field is null, so it is true for every event without either), instead of comparing with the text "pro".
before: properties.plan = pro
after: properties.plan = "pro"

== FQL400 other
A configured limit is exceeded.
Rule size, nesting depth and list length have limits (Segment caps a rule at 5 KB); the message names the one exceeded and its value.
before: a rule nested 200 levels deep
after: the same condition written flat, or split into several filters

== FQL401 other
The rule is longer than 5 KB, Segment's limit.
Segment rejects longer rules; so does this engine, by default.
before: userId in ["u1", "u2", ... 2,000 ids]
after: a shorter rule (a trait or a property that marks those users)

== FQL402 other
The rule nests deeper than the configured limit.
Deeply nested parentheses or negations make a rule hard to read and can exhaust the evaluator; the limit stops them at compile time.
before: !(!(!(!( ... type = "track" ... ))))
after: type = "track"

== FQL403 other
A list is longer than the configured limit.
A list literal after 'in' may hold at most this many items.
before: userId in [ ... 20,000 items ... ]
after: a shorter list, or a property that marks those users

== FQL500 other
A device-mode IR document could not be turned into FQL.
Device-mode rules store FQL compiled to nested JSON arrays (the IR). This one has no FQL meaning.
before: {"type": "fql", "ir": "[\"~\", \"type\"]"}
after: {"type": "fql", "ir": "[\"=\", \"type\", {\"value\": \"track\"}]"}

== FQL501 other
The IR is empty or not JSON.
The ir field of a device-mode matcher must hold a JSON document.
before: {"type": "fql", "ir": ""}
after: {"type": "fql", "ir": "[\"=\", \"type\", {\"value\": \"track\"}]"}

== FQL502 other
The IR has a shape with no FQL meaning.
An operator with the wrong number of operands, an unknown operator, or a value that is not wrapped in {"value": ...}.
before: ["=", "type"]
after: ["=", "type", {"value": "track"}]

== FQL503 other
A key containing '.' cannot be written in the IR.
The IR joins path segments with dots, so a key that holds a dot cannot be expressed; device mode would read another field.
before: properties.a\.b = 1  (converted to IR)
after: use a key without a dot, or keep the rule server-side

== FQL504 other
The IR nests too deeply.
The IR document is nested deeper than the limit that protects the converter.
before: an IR nested 500 levels deep
after: the same condition written flat

== FQL505 other
Read the device-mode way, the IR throws in the browser for this event.
With mode="tsub" a rule is read exactly as Segment's device-mode library reads it; where that library throws (a null operand, `in` over a value that is not a list, an unknown function) the rule fails closed with this code.
before: ["in", "properties.plan", {"value": "pro"}]
after: ["in", "properties.plan", {"value": ["pro"]}]

== FQL600 other
An event could not be evaluated.
Reported per event by fql filter, eval and test: the message says what in the event stopped the rule.
before: an event the rule cannot read
after: a JSON object event

== FQL601 other
An event holds a value that is not a JSON type.
Events are JSON. A Python value such as a datetime, bytes or a set inside one has no FQL meaning, so the rule fails closed.
before: {"timestamp": datetime(2024, 5, 1)}
after: {"timestamp": "2024-05-01T00:00:00Z"}

== FQL602 other
An event nests deeper than the evaluator follows, or contains itself.
Deep or cyclic structures are stopped at a fixed depth rather than crashing the process.
before: an event whose properties contain the event itself
after: a plain JSON tree

== FQL603 other
An event is not a JSON object.
A rule reads an event's fields, so the event must be a JSON object, not a list, a string or a number.
before: [1, 2]
after: {"type": "track", "event": "Order Completed"}

== FQL700 other
A rule, test or configuration file cannot be loaded safely.
JSON and YAML files are read within YamlLimits (docs/limits.md): at most 16 MiB, nested at most 256 levels, at most 1,000,000 values with every YAML alias expanded, no alias cycles, and no tags that build Python objects, bytes, sets or dates. A few hundred bytes of nested aliases expand to billions of values, which every later stage would walk; the file is refused before any value is built. The message also covers YAML syntax errors and a missing PyYAML (pip install 'fql-engine[yaml]').
before: a: &a [x, x, x, x, x, x, x, x, x] / b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a] / ... nine levels
after: the values written out, or a flatter file

== FQL604 other
Event text is not JSON: not UTF-8, or malformed.
Reported per line by fql filter, map, route and eval with the line number; the line is counted as invalid, written to the dropped output where the command has one, and the stream goes on.
before: {"type": "track",
after: {"type": "track"}

== LNT001 other
The file could not be read, or is not valid JSON or YAML.
The finding points at the place where the JSON or YAML parser stopped.
before: {"filters": [{"if": "type = 'track'", "actions": []},]}
after: {"filters": [{"if": "type = 'track'", "actions": []}]}

== LNT002 other
A file named on the command line holds no rules fql lint knows.
fql lint reads .fql and .trigger files, and JSON or YAML files with destination filters, transformations, device-mode rules, a workspace configuration, an action, a mapping or rule tests. Files in a directory that hold none of these are skipped; a file named explicitly is reported.
before: fql lint package.json
after: fql lint rules/

== LNT003 other
A '# fql: ignore[...]' comment names a code that does not exist.
A misspelt code would silently ignore nothing. fql lint --explain CODE shows every code.
before: # fql: ignore[FQL320]
after: # fql: ignore[FQL302]

== MAP001 mapping
Segment's mapping validation rejects the mapping.
The message is the one Segment's mapping kit gives: a directive with the wrong options, two directives in one object, a value of the wrong type.
before: {"id": {"@path": "$.userId", "@template": "{{userId}}"}}
after: {"id": {"@path": "$.userId"}}

== MAP002 other
A mapping limit is exceeded.
Mapping size, nesting depth and template length have limits; the message names the one exceeded.
before: a mapping nested 200 levels deep
after: a flatter mapping

== MAP003 other
The mapping holds a value that is not JSON.
Mappings are JSON; a Python object such as a set or a datetime inside one is rejected.
before: {"tags": {1, 2}}
after: {"tags": [1, 2]}

== MAP004 other
An optional dependency is not installed.
@liquid needs python-liquid and the JSONPath extension needs jsonpath-ng; install the extra named in the message.
before: pip install fql-engine
after: pip install 'fql-engine[liquid,jsonpath]'

== MAP005 other
A malformed __segment_internal_directive root.
The root directive that Segment's editor writes has a fixed shape; this one does not have it.
before: {"__segment_internal_directive": 5}
after: a mapping without the internal directive, or the shape the editor writes

== MAP010 other
A directive that throws whenever an event reaches it.
Segment's mapping kit throws on this directive for every event, so the action never sends.
before: a directive whose options can never work
after: the directive with valid options

== MAP101 mapping
@if blank treats 0, false and [] as blank.
Segment tests blank with JavaScript's loose == '': the number 0, false and an empty list count as blank, not only null and missing values.
before: {"n": {"@if": {"blank": {"@path": "$.properties.count"}, "then": 1, "else": 2}}}
after: {"n": {"@if": {"exists": {"@path": "$.properties.count"}, "then": 2, "else": 1}}}

== MAP102 mapping
A falsy else of @if is ignored: the field disappears.
Segment's @if returns else only when it is truthy; 0, false and "" leave the field out.
before: {"n": {"@if": {"exists": {"@path": "$.x"}, "then": 1, "else": 0}}}
after: {"n": {"@if": {"exists": {"@path": "$.x"}, "then": 1, "else": "0"}}}

== MAP103 mapping
A @template placeholder names an object: it renders as [object Object].
Templates print objects the way JavaScript does. Map the object with @path, or encode it with @json.
before: {"summary": {"@template": "{{properties}}"}}
after: {"summary": {"@json": {"value": {"@path": "$.properties"}, "mode": "encode"}}}

== MAP104 other
@merge of a string or a list spreads index keys.
Merging "USD" gives {"0": "U", "1": "S", "2": "D"}: @merge expects objects.
before: "@merge": {"objects": [{"@path": "$.properties.currency"}]}  (a string field)
after: "currency": {"@path": "$.properties.currency"}

== MAP105 mapping
@merge direction LEFT or Left acts as right.
Only the exact lower-case 'left' reverses the merge order; any other spelling passes validation and merges to the right.
before: {"x": {"@merge": {"objects": [{"@path": "$.a"}], "direction": "LEFT"}}}
after: {"x": {"@merge": {"objects": [{"@path": "$.a"}], "direction": "left"}}}

== MAP106 mapping
A @json mode not in lower case: the result is undefined.
Validation accepts ENCODE or Decode, but only encode and decode run.
before: {"x": {"@json": {"value": {"@path": "$.a"}, "mode": "ENCODE"}}}
after: {"x": {"@json": {"value": {"@path": "$.a"}, "mode": "encode"}}}

== MAP107 mapping
JavaScript replacement tokens in a @replace replacement.
$&, $$, $` and $' are expanded by JavaScript's replace, so they are not copied as written.
before: {"x": {"@replace": {"value": {"@path": "$.a"}, "pattern": "a", "replacement": "$&b"}}}
after: {"x": {"@replace": {"value": {"@path": "$.a"}, "pattern": "a", "replacement": "ab"}}}

== MAP108 other
Directives inside @literal are resolved, not kept as text.
@literal does not protect what it holds: a @path inside it is still read from the event.
before: {"x": {"@literal": {"key": {"@path": "$.userId"}}}}
after: {"x": {"@literal": {"key": "$.userId"}}}

== MAP109 mapping
A non-boolean omitArrays is read by truthiness.
"no" and "false" are non-empty strings, so they mean true.
before: {"x": {"@flatten": {"value": {"@path": "$.a"}, "separator": ".", "omitArrays": "no"}}}
after: {"x": {"@flatten": {"value": {"@path": "$.a"}, "separator": ".", "omitArrays": false}}}

== MAP110 mapping
Text that looks like a path or a template is copied as it is.
A plain string in a mapping is a constant. To read the field, use @path; to fill placeholders, @template.
before: {"user": "$.userId"}
after: {"user": {"@path": "$.userId"}}

== MAP111 mapping
A path that does not read what it seems to.
A dot inside quoted brackets still splits the path, and a '$.' that is not at the start is removed wherever it is.
before: {"x": {"@path": "properties.$.plan"}}
after: {"x": {"@path": "$.properties.plan"}}

== MAP112 mapping
A key containing '/' breaks Segment's mapping editor.
The editor addresses fields by slash-separated paths, so such a key cannot be edited there.
before: {"a/b": {"@path": "$.x"}}
after: {"a_b": {"@path": "$.x"}}

== MAP113 mapping
A path that looks like JSONPath is read as a plain lookup.
Segment's @path has no wildcards or filters: $.products[*].sku reads a key named "products[*]". This engine reads full JSONPath only with the extensions switched on.
before: {"skus": {"@path": "$.products[*].sku"}}
after: {"skus": {"@arrayPath": ["$.products", {"sku": {"@path": "$.sku"}}]}}

== MAP114 other
A $.-rooted path inside an @arrayPath item shape is relative to the item.
Inside the item shape, '$.' is each item, not the event: $.userId reads the item's userId.
before: "@arrayPath": ["$.products", {"user": {"@path": "$.userId"}}]
after: map the userId outside the @arrayPath

== MAP201 other
Full JSONPath in @path is an extension, not portable to Segment.
Reported with --extensions: the path works here, but Segment reads it as a plain lookup.
before: {"skus": {"@path": "$.products[*].sku"}}
after: {"skus": {"@arrayPath": ["$.products", {"sku": {"@path": "$.sku"}}]}}

== MAP202 other
@coalesce is an extension, not portable to Segment.
Reported with --extensions. The portable form is nested @if exists / then / else.
before: {"email": {"@coalesce": [{"@path": "$.traits.email"}, {"@path": "$.context.traits.email"}]}}
after: {"email": {"@if": {"exists": {"@path": "$.traits.email"}, "then": {"@path": "$.traits.email"}, "else": {"@path": "$.context.traits.email"}}}}

== MAP301 other
Applying the mapping to this event throws, as Segment's mapping kit would.
The event reaches a directive that fails on its values (for example @json decode of text that is not JSON).
before: an event whose field the directive cannot read
after: an event with the value the directive expects, or a mapping that tests for it first

== MAP302 other
The event cannot be read as JSON.
Mappings run on JSON events; this one holds a value that is not JSON.
before: {"timestamp": datetime(2024, 5, 1)}
after: {"timestamp": "2024-05-01T00:00:00Z"}

== RTE100 other
An invalid workspace routing configuration.
The message lists every problem found, each at its place.
before: {"destinations": "Amplitude"}
after: {"destinations": [{"name": "Amplitude"}]}

== RTE101 other
A workspace configuration field is missing or has the wrong type.
Each destination needs a name; filters, mappings and consent categories have fixed shapes.
before: {"destinations": [{"filters": []}]}
after: {"destinations": [{"name": "Amplitude", "filters": []}]}

== RTE102 other
More Actions mappings on one destination than the limit (50).
Segment allows at most 50 mappings per destination.
before: a destination with 60 mappings
after: the mappings split across destinations, or merged by trigger

== RTE103 other
A destination names a consent category the workspace does not declare.
An undeclared category is never consented to, so the destination would never receive an event.
before: consent: {categories: [analytics]} with a destination requiring [Advertising]
after: the destination requires a declared category: [analytics]

== TRG000 other
The trigger is not a string.
A trigger is text written in FQL.
before: {"trigger": 5}
after: {"trigger": "type = \"track\""}

== TRG001 other
Segment mode: Segment's trigger lexer rejects the text.
Characters such as $, a > glued to a name, a number ending in a dot, a carriage return or non-ASCII letters in names stop Segment's lexer.
before: properties.price$ > 1
after: properties.price > 1

== TRG002 other
Segment mode: a missing operator, value or function argument.
Segment's trigger parser needs field, operator and value in every condition.
before: properties.plan =
after: properties.plan = "pro"

== TRG003 other
Segment mode: no condition Segment recognises.
The text is empty, or its fields all have roots a trigger cannot test.
before: foo = 1
after: properties.foo = 1

== TRG004 other
Segment mode: an unclosed or nested parenthesis.
Segment's trigger parser reads one level of parentheses only.
before: (type = "track" and (event = "A" or event = "B"))
after: type = "track" and (event = "A" or event = "B")

== TRG005 other
Segment mode: trigger text longer than 5 KB.
Trigger text is limited to TriggerLimits.max_text_bytes (5,120 UTF-8 bytes, the size Segment allows an FQL statement); default mode reports the same limit as FQL401. Segment's reading is quadratic on hostile text, so the limit is checked before it starts.
before: a trigger of 20,000 or-ed conditions
after: a shorter trigger, or several mappings

== TRG100 trigger
Segment reads this trigger differently from FQL, for a reason no more specific code names.
The message shows Segment's reading. This engine reads triggers as FQL by default; Segment's own parser, which the Actions UI uses, reads them as shown.
before: properties.a = properties.b
after: properties.a = "value"

== TRG101 trigger
'and' and 'or' mixed in one parenthesis level: Segment joins all conditions with the last one.
Segment's trigger parser has no precedence: a and b or c is an OR of all three conditions. Parenthesise the 'and' part.
before: type = "track" and event = "A" or event = "B"
after: type = "track" and (event = "A" or event = "B")

== TRG102 trigger
AND or OR in capitals: Segment ignores them.
Segment reads AND and OR as names and skips them, so the conditions are joined by the level's lower-case conjunction (and by default).
before: type = "track" AND event = "A"
after: type = "track" and event = "A"

== TRG103 trigger
Nested parentheses, or a function call inside a group that is not its last part.
Segment's parser closes a group at the first ')', so a nested group is an error and what follows a contains() or match() inside a group spills out of it.
before: (type = "track" and (event = "A" or event = "B"))
after: type = "track" and (event = "A" or event = "B")

== TRG104 trigger
'!' before a parenthesis: Segment drops it.
Segment negates only contains() and match(); before '(' the '!' is silently ignored, so the trigger matches the opposite events.
before: !(type = "track")
after: type != "track"

== TRG105 trigger
A single-quoted string: Segment keeps the quotes in the value.
Segment strips double quotes only, so 'Order Completed' is compared with its quotes and never matches. This engine reads it as FQL does (without the quotes); write double quotes so both agree.
before: event = 'Order Completed'
after: event = "Order Completed"

== TRG106 trigger
A backslash escape in a string: Segment has none.
In Segment's reading \n stays a backslash and an n, and \" ends the string.
before: event = "Order\nCompleted"
after: event = "Order Completed"

== TRG107 trigger
A closing quote followed by a letter or another quote: Segment swallows what follows.
Segment re-reads that quote as an opening quote, so the text up to the next quote becomes one string and the conditions in it disappear.
before: event = "A"and type = "track"
after: event = "A" and type = "track"

== TRG108 other
Segment's lexer rejects text that FQL reads.
The trigger parses as FQL here, but Segment's trigger lexer stops on it; the message says where.
before: properties.price$ > 1
after: properties.price > 1

== TRG109 trigger
A path segment Segment does not read as a name.
A segment that starts with a digit or '-', or is or, and or null, makes a condition that never matches in Segment.
before: properties.1st = "a"
after: properties.first = "a"

== TRG110 other
A number with an exponent: Segment reads the digits and ignores the rest.
25e0 is 25 to FQL, but Segment reads 25 followed by a word it skips.
before: properties.n = 25e0
after: properties.n = 25

== TRG201 trigger
A function other than contains() and match() in a trigger.
The Actions condition builder has no other functions, so the trigger cannot be turned into conditions.
before: lowercase(event) = "order completed"
after: event = "Order Completed"

== TRG202 trigger
'in' in a trigger.
Triggers have no 'in'; list the alternatives with 'or'.
before: type in ["track", "page"]
after: type = "track" or type = "page"

== TRG203 trigger
typeof() in a trigger.
Triggers test values, not types; test that the field exists instead.
before: typeof(event) = "string"
after: event exists

== TRG204 trigger
Not a condition: a bare field, a literal, or a function with a non-string argument.
A trigger is made of comparisons, contains() and match(); a field alone means nothing to the condition builder.
before: properties.vip
after: properties.vip = true

== TRG205 trigger
Two fields compared, or the value written on the left.
A trigger condition is field, operator, value, in that order.
before: properties.a = properties.b
after: properties.a = "b"

== TRG206 trigger
A field a trigger cannot test.
Triggers test type, event, name, userId, anonymousId, properties.*, traits.* and context.*; other roots, type.x or properties alone cannot be tested.
before: foo.bar = 1
after: properties.foo.bar = 1

== TRG207 other
A key containing a dot.
Segment splits names at every dot, so a key with a dot in it cannot be tested.
before: properties.a\.b = 1
after: properties.a_b = 1

== TRG208 trigger
'all' is not a trigger condition.
A trigger that should fire for every event needs a condition every event meets.
before: all
after: type exists

== TRG209 trigger
A negation the condition tree cannot express exactly.
The tree has no 'not' around a comparison; write the opposite comparison, keeping in mind that a missing field is neither.
before: !(properties.x > 5)
after: properties.x <= 5

== TRG301 other
Printing: an unknown condition type in a condition tree.
The tree holds a condition the printer does not know, so it cannot be written as FQL.
before: {"type": "group", "operator": "and", "children": [{"type": "weather"}]}
after: {"type": "group", "operator": "and", "children": [{"type": "event-type", "operator": "is", "value": "track"}]}

== TRG302 other
A condition tree nested deeper than 100 levels.
Deeper trees (TriggerLimits.max_tree_depth) are refused, while the tree is copied, rather than risking the interpreter's recursion limit; a cyclic tree is refused the same way.
before: a group nested 150 levels deep
after: a flatter tree

== TRG303 other
Printing: a malformed condition tree.
An error tree, a null child or a group without a children list cannot be printed.
before: {"type": "group", "operator": "and"}
after: {"type": "group", "operator": "and", "children": []}

== TRG310 other
Matching: Segment's validation throws on this trigger and event.
Segment's matcher raises here (for example a value of the wrong type for the operator); this engine raises the same error.
before: a condition whose value Segment's matcher rejects
after: a value of the type the operator expects

== TRG311 other
Matching: the event is not a JSON value.
A trigger reads an event's fields, so the event must be JSON. Segment's own answers are kept for JSON values that are not objects (a missing payload does not match, a string or number is read like an empty object); a Python value with no JSON meaning is refused.
before: {"timestamp": datetime(2024, 5, 1)}
after: {"timestamp": "2024-05-01T00:00:00Z"}

== TRG401 other
Conversion: not a group of conditions.
A condition tree's root must be a group with an operator and children.
before: {"type": "event-type", "operator": "is", "value": "track"}
after: {"type": "group", "operator": "and", "children": [{"type": "event-type", "operator": "is", "value": "track"}]}

== TRG402 other
Conversion: an unknown condition type or operator.
The condition uses a type or operator the Actions condition builder does not have.
before: {"type": "event", "operator": "resembles", "value": "A"}
after: {"type": "event", "operator": "is", "value": "A"}

== TRG403 other
Conversion: a value with half a surrogate pair.
The text cannot be encoded; it was most likely cut in the middle of an emoji.
before: a value ending in half an emoji
after: the whole character, or none of it

== TRG404 other
Conversion: a name that reaches a JavaScript property or index.
Names such as __proto__ or constructor would read JavaScript internals in Segment's matcher.
before: properties.__proto__ = 1
after: properties.proto = 1

== TRG405 other
Conversion: the FQL expression and its trigger reading differ.
The FQL cannot be turned into a trigger that Segment reads the same way.
before: type = "track" and event = "A" or event = "B"
after: type = "track" and (event = "A" or event = "B")

== FLT100 other
A filter or rule does not have the shape Segment's API defines.
A filter is an object with "if" and "actions"; the message names the missing or wrong field.
before: {"if": "type = 'track'"}
after: {"if": "type = 'track'", "actions": [{"type": "DROP"}]}

== FLT101 other
An unknown action, matcher or transformer type.
Filters know DROP, SAMPLE, DROP_PROPERTIES and ALLOW_PROPERTIES (and the older names); device-mode rules their own matcher and transformer types.
before: {"type": "DELETE"}
after: {"type": "DROP"}

== FLT102 other
A filter's "if" is not valid FQL: the filter fails closed (it drops).
An invalid filter never lets an event through by accident; the FQL finding says what to fix.
before: {"if": "type == 'track'", "actions": [{"type": "DROP"}]}
after: {"if": "type = 'track'", "actions": [{"type": "DROP"}]}

== FLT103 other
A sample percent outside 0 to 1.
SAMPLE's percent is a fraction: 0.1 keeps one event in ten.
before: {"type": "SAMPLE", "percent": 10}
after: {"type": "SAMPLE", "percent": 0.1}

== FLT110 other
More filters than Segment allows for one destination.
Segment caps the number of filters per destination; merge conditions with or.
before: 60 filters on one destination
after: fewer filters, their conditions joined with or

== FLT120 other
A filter, transformation or device-mode rule whose condition is always false.
The rule never acts: its drop, sample or change never happens.
before: {"if": "1 = 2 or 2 = 3", "actions": [{"type": "DROP"}]}
after: {"if": "type = 'track'", "actions": [{"type": "DROP"}]}

== FLT130 other
A device-mode matcher that Segment's browser library reads differently from the documented FQL.
The message gives an event on which the two readings answer differently; check it with fql.tsub.matches(event, matcher, mode="tsub"). Common causes: typeof names, length counted in UTF-16 units, missing versus null, `!` on a value that is not a boolean.
before: {"type": "fql", "ir": "[\"!\", \"properties.flag\"]"}
after: {"type": "fql", "ir": "[\"=\", \"properties.flag\", {\"value\": false}]"}

== FLT200 other
Conflicting transformations.
Two transformations change the same event or property in ways that cannot both apply.
before: two renames of the same event to different names
after: one rename

== FLT201 other
An invalid property path in a transformation.
Property paths in renames and drops are dot-separated keys under properties, traits or context.
before: {"oldName": ""}
after: {"oldName": "properties.plan"}

== FLT300 other
An event a filter cannot be applied to.
Filters read an event's fields, so the event must be a JSON object.
before: "track"
after: {"type": "track"}

== FLT301 other
A device-mode map_properties transformer sets a key under a null parent.
Segment's device-mode engine cannot create a key inside a field that is null.
before: set properties.address.city where properties.address is null
after: set properties.address to an object first

== FLT302 other
A device-mode map_properties write far past an array's end.
A write to properties.items.N on an array shorter than N leaves holes, as JavaScript does; more than FilterLimits.max_array_growth (10,000) holes is refused, since JavaScript's sparse array would print four billion nulls for items.4294967294 and a Python list would allocate them.
before: set properties.items.4294967294 on an array of 3 items
after: set properties.items.3, or write to an object key
"""


@lru_cache(maxsize=1)
def code_docs() -> dict[str, CodeDoc]:
    """Code -> its documentation, parsed from :data:`TEXT`."""
    docs: dict[str, CodeDoc] = {}
    for block in TEXT.split("\n== ")[1:]:
        head, summary, *body = block.strip().split("\n")
        code, kind = head.split()
        before = next(line for line in body if line.startswith("before: "))
        after = next(line for line in body if line.startswith("after: "))
        explanation = "\n".join(line for line in body if line not in (before, after))
        docs[code] = CodeDoc(code, kind, summary, explanation.strip(),
                             before.removeprefix("before: "), after.removeprefix("after: "))
    return docs
