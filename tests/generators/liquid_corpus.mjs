// Writes the @liquid differential corpus: templates rendered by liquidjs 10.27.2 set up
// as Segment's mapping kit sets it up (render limit 500 ms, parse limit 1000, memory
// limit 1e8; tags case/for/include/layout/render/tablerow and the listed array filters
// replaced by ones that throw `tag "x" is disabled` / `filter "x" is disabled`).
//
//   cd <dir with liquidjs@10.27.2 installed> &&
//   TZ=UTC node /path/to/tests/generators/liquid_corpus.mjs > tests/golden/liquid_corpus.jsonl
//
// The first line is {"id": "event", "event": ...}, the event every template renders
// against (a fresh copy each time: liquidjs's increment writes into it); then one case
// a line: {"id", "template", "expected": {"output"} | {"error"}}.
// The events and templates are this project's own; nothing here runs at test time.
import { createRequire } from 'node:module'
const require = createRequire(process.cwd() + '/')
const { Liquid } = require('liquidjs')

const engine = new Liquid({ renderLimit: 500, parseLimit: 1000, memoryLimit: 1e8 })
const offTags = ['case', 'for', 'include', 'layout', 'render', 'tablerow']
const offFilters = ['array_to_sentence_string', 'concat', 'find', 'find_exp', 'find_index',
  'find_index_exp', 'group_by', 'group_by_exp', 'has', 'has_exp', 'map', 'newline_to_br',
  'reject', 'reject_exp', 'reverse', 'sort', 'sort_natural', 'uniq', 'where_exp', 'type']
for (const name of offTags) {
  const fail = () => { throw new Error(`tag "${name}" is disabled`) }
  engine.registerTag(name, { parse: fail, render: fail })
}
for (const name of offFilters) {
  engine.registerFilter(name, () => { throw new Error(`filter "${name}" is disabled`) })
}

const EVENT = {
  type: 'track', event: 'Order Completed', userId: 'user-1',
  properties: {
    s: 'Hello World', e: '', sp: '  padded  text  ', html: '<p>Hi &amp; <b>bye</b></p>',
    n: 75001, f: 3.14159, neg: -2.5, z: 0, big: 1e21, small: 1e-7, half: 2.5, ni: -7,
    numstr: '1.0', intstr: '42', fstr: '3.7', t: true, fa: false, nil: null,
    arr: [3, 1, 2], sarr: ['b', 'a', 'c'], mixed: [1, 'a', null, true, [2, 3]],
    earr: [], nested: [[1, 2], [3]], objs: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }, { name: 'a', v: 3 }],
    obj: { a: 1, b: 'x' }, eobj: {},
    date: '2024-03-05T14:07:09.123Z', date2: 'March 5, 2024', dateonly: '2024-03-05',
    ts: 1709647629, tsms: 1709647629123, tsstr: '1709647629',
    url: 'a b&c=d/é?x=1', enc: 'a%20b%26c+d', uni: 'ünïcødé 🎉 ß', multi: 'line1\nline2\r\nline3',
    words: 'one two  three   four five six seven', b64: 'SGVsbG8gV29ybGQ=', email: 'Foo.Bar@Example.COM',
    price: '$1,234.50', qty: '3', slug: 'Hello, World! Ça va?', tabs: '\ta\tb\t',
    empty: 'key-empty', blank: 'key-blank', nilkey: 'x'
  },
  traits: { name: 'Ada Lovelace', age: 36, tags: ['x', 'y'] },
  context: { ip: '8.8.8.8', library: { name: 'analytics.js', version: '2.11.1' } }
}

const INPUTS = ['properties.s', 'properties.e', 'properties.n', 'properties.f', 'properties.neg',
  'properties.z', 'properties.numstr', 'properties.intstr', 'properties.nil', 'properties.missing',
  'properties.arr', 'properties.sarr', 'properties.obj', 'properties.t', 'properties.uni',
  'properties.big', 'properties.mixed']

// filter -> argument lists to try ('' is no argument)
const FILTERS = {
  abs: [''], append: [': "!"', ': properties.n', ': nil'], at_least: [': 5', ': "5"'],
  at_most: [': 5', ': "5"'], base64_decode: [''], base64_encode: [''], capitalize: [''],
  ceil: [''], cgi_escape: [''], compact: [''], date: [': "%Y-%m-%d"', ': "%a %b %e %H:%M:%S %Y"', ': "%s"', ''],
  date_to_long_string: [''], date_to_rfc822: [''], date_to_string: [''], date_to_xmlschema: [''],
  default: [': "fallback"', ': "fallback", allow_false: true', ''], divided_by: [': 2', ': 2.0', ': 0', ': "4"'],
  downcase: [''], escape: [''], escape_once: [''], first: [''], floor: [''], hmac_sha256: [': "key"'],
  inspect: [''], join: ['', ': "-"', ': 1'], json: ['', ': 2'], jsonify: [''], last: [''],
  lstrip: [''], minus: [': 1', ': 0.5', ': "2"'], modulo: [': 3', ': 0', ': -4', ': 2.5'],
  normalize_whitespace: [''], number_of_words: ['', ': "cjk"', ': "auto"'], plus: [': 1', ': 0.1', ': "2"'],
  pop: [''], prepend: [': "¡"', ': properties.n'], push: [': "z"'], raw: [''], remove: [': "l"', ': 1'],
  remove_first: [': "l"'], remove_last: [': "l"'], replace: [': "l", "L"', ': "l"', ': 1, 2'],
  replace_first: [': "l", "L"'], replace_last: [': "l", "L"'], round: ['', ': 2', ': -1', ': "1"'],
  rstrip: [''], sha256: [''], shift: [''], size: [''], slice: [': 1', ': 1, 3', ': -2', ': -2, 5', ': 0, 0'],
  slugify: ['', ': "raw"', ': "pretty"', ': "ascii"', ': "latin"', ': "none"'], split: [': " "', ': ""', ': "l"'],
  strip: [''], strip_html: [''], strip_newlines: [''], sum: [''], times: [': 2', ': 0.1', ': "3"'],
  to_integer: [''], truncate: ['', ': 5', ': 5, "…"', ': 0', ': 3, ""'],
  truncatewords: ['', ': 2', ': 2, "--"', ': 0'], unshift: [': "z"'], upcase: [''],
  uri_escape: [''], url_decode: [''], url_encode: [''], where: [': "name", "a"', ': "name"'],
  xml_escape: [''],
  // filters of the kit's disabled list, and names liquidjs does not define
  sort: [''], map: [': "name"'], reverse: [''], uniq: [''], concat: [': properties.arr'],
  where_exp: [': "x", "x.v > 1"'], newline_to_br: [''], type: [''], has: [': "name"'],
  squish: [''], escapejs: [''], base64_url_safe_encode: [''], no_such_filter: ['']
}

const TEMPLATES = []
for (const [name, argLists] of Object.entries(FILTERS)) {
  for (const args of argLists) {
    for (const input of INPUTS) TEMPLATES.push(`{{ ${input} | ${name}${args} }}`)
  }
}
const SPECIFIC = [
  // filter edge cases on specific inputs
  '{{ properties.html | strip_html }}', '{{ properties.html | escape }}', '{{ properties.html | escape_once }}',
  '{{ "&lt;b&gt; & <i>" | escape_once }}', '{{ properties.multi | strip_newlines }}',
  '{{ properties.multi | newline_to_br }}', '{{ properties.words | truncatewords: 3 }}',
  '{{ properties.words | number_of_words }}', '{{ properties.sp | strip }}', '{{ properties.sp | lstrip }}|',
  '{{ properties.sp | rstrip }}|', '{{ properties.tabs | strip }}|', '{{ properties.url | url_encode }}',
  '{{ properties.enc | url_decode }}', '{{ properties.url | uri_escape }}', '{{ properties.url | cgi_escape }}',
  '{{ properties.b64 | base64_decode }}', '{{ properties.uni | base64_encode }}', '{{ properties.email | downcase }}',
  '{{ properties.slug | slugify }}', '{{ properties.slug | slugify: "latin" }}', '{{ properties.slug | slugify: "ascii" }}',
  '{{ properties.date | date: "%Y-%m-%d %H:%M:%S" }}', '{{ properties.date | date: "%b %d, %Y" }}',
  '{{ properties.date | date: "%A %B %-d %j %U %W %u %w %y %I %p %l %k %L %N %z %Z %%" }}',
  '{{ properties.date2 | date: "%Y-%m-%d" }}', '{{ properties.dateonly | date: "%Y-%m-%d %H:%M" }}',
  '{{ properties.ts | date: "%Y-%m-%d %H:%M:%S" }}', '{{ properties.tsstr | date: "%Y-%m-%d" }}',
  '{{ properties.tsms | date: "%Y-%m-%d" }}', '{{ "1.0" | date: "%Y-%m-%d" }}', '{{ "garbage" | date: "%Y" }}',
  '{{ properties.date | date: "%-m/%-d/%Y %-I:%M %P" }}', '{{ properties.date | date: "%s" }}',
  '{{ properties.date | date: "%e|%-e|%d|%-d|%H|%-H" }}', '{{ properties.date | date_to_xmlschema }}',
  '{{ properties.date | date_to_rfc822 }}', '{{ properties.date | date_to_string }}',
  '{{ properties.date | date_to_long_string }}', '{{ properties.date | date_to_string: "ordinal", "US" }}',
  '{{ properties.date | date_to_long_string: "ordinal" }}', '{{ properties.date | date: "%Y-%m-%dT%H:%M:%S.%L%z" }}',
  '{{ 75001 | truncate: 5 }}', '{{ "75001" | truncate: 5 }}', '{{ "abcdefghij" | truncate: 5 }}',
  '{{ "abcdefghij" | truncate: 2 }}', '{{ "ab" | truncate: 5 }}', '{{ "abcdef" | truncate: 6 }}',
  '{{ properties.price | remove: "$" | remove: "," | plus: 0 }}', '{{ properties.qty | times: properties.f }}',
  '{{ 10 | divided_by: 4 }}', '{{ 10 | divided_by: 4.0 }}', '{{ 10.0 | divided_by: 4 }}', '{{ -10 | divided_by: 4 }}',
  '{{ 1 | divided_by: 3 }}', '{{ 1.0 | divided_by: 3 }}', '{{ 7 | modulo: 2.5 }}', '{{ -7 | modulo: 3 }}',
  '{{ 0.1 | plus: 0.2 }}', '{{ 1e21 | plus: 1 }}', '{{ 2.5 | round }}', '{{ 3.5 | round }}', '{{ -2.5 | round }}',
  '{{ 1.005 | round: 2 }}', '{{ 183.357 | round: 2 }}', '{{ 5 | round: 2 }}', '{{ "3.14159" | round: 3 }}',
  '{{ 4.6 | floor }}', '{{ -4.6 | floor }}', '{{ "4.6" | ceil }}', '{{ -0.5 | ceil }}', '{{ -1 | abs }}',
  '{{ "-3" | abs }}', '{{ 9007199254740993 }}', '{{ 1e21 }}', '{{ 1.0 }}', '{{ 100.50 }}', '{{ -0 }}',
  '{{ 0.000001 }}', '{{ 0.0000001 }}', '{{ 123456789012345678 }}', '{{ "a,b,c" | split: "," | join: "+" }}',
  '{{ "a,b,c" | split: "," | first }}', '{{ "a,b,c" | split: "," | last }}', '{{ "a,b,c" | split: "," | size }}',
  '{{ "abc" | first }}', '{{ "abc" | last }}', '{{ "abc" | size }}', '{{ properties.obj | size }}',
  '{{ properties.objs | where: "name", "a" | size }}', '{{ properties.objs | first | json }}',
  '{{ properties.nested | join: "," }}', '{{ properties.mixed | compact | join: "," }}',
  '{{ properties.objs | json }}', '{{ properties | json }}', '{{ traits | json }}', '{{ properties.uni | json }}',
  '{{ "x" | append: properties.arr }}', '{{ properties.arr | push: 4 | join }}', '{{ properties.arr | sum }}',
  '{{ properties.objs | sum: "v" }}', '{{ properties.sarr | slice: 1, 2 | join }}', '{{ "hello" | slice: -3, 2 }}',
  '{{ "hello" | slice: 1 }}', '{{ "🎉ab" | slice: 0, 1 }}', '{{ "🎉ab" | size }}', '{{ "🎉ab" | truncate: 3 }}',
  '{{ "ß" | upcase }}', '{{ "İ" | downcase }}', '{{ "ΑΣ" | downcase }}', '{{ "élan" | capitalize }}',
  '{{ "hELLO wORLD" | capitalize }}', '{{ "a.b.c" | replace: ".", "$&" }}', '{{ "aaa" | replace_first: "a", "$$" }}',
  '{{ "abcabc" | remove_last: "b" }}', '{{ "abcabc" | replace_last: "b", "X" }}', '{{ "Hello" | sha256 }}',
  '{{ "Hello" | hmac_sha256: "secret" }}', '{{ "a b" | url_encode }}', '{{ "a+b%20c" | url_decode }}',
  '{{ "<a>" | xml_escape }}', '{{ properties.missing | default: "d" }}', '{{ properties.e | default: "d" }}',
  '{{ properties.fa | default: "d" }}', '{{ properties.fa | default: "d", allow_false: true }}',
  '{{ properties.earr | default: "d" }}', '{{ properties.eobj | default: "d" }}', '{{ properties.z | default: "d" }}',
  '{{ properties.nil | default: "d" }}', '{{ properties.intstr | to_integer | plus: 1 }}',
  '{{ properties.fstr | to_integer }}', '{{ properties.obj | inspect }}', '{{ properties.obj | jsonify }}',
  '{{ properties.s | raw }}', '{{ properties.html | raw }}',
  // output of values
  '{{ properties }}', '{{ properties.obj }}', '{{ properties.arr }}', '{{ properties.mixed }}', '{{ properties.nested }}',
  '{{ properties.t }}', '{{ properties.nil }}', '{{ properties.missing }}', '{{ properties.objs }}',
  '{{ properties.small }}', '{{ properties.big }}', '{{ properties.f }}', '{{ properties.neg }}', '{{ traits.tags }}',
  '{{ properties.arr[0] }}', '{{ properties.arr[-1] }}', '{{ properties.arr.first }}', '{{ properties.arr.last }}',
  '{{ properties.arr.size }}', '{{ properties.s.size }}', '{{ properties.obj.size }}', '{{ properties["s"] }}',
  '{{ properties.objs[1].name }}', '{{ properties.objs.1.name }}', '{{ context.library.version }}',
  '{{ properties.empty }}', '{{ properties.blank }}', '{{ properties.s.length }}', '{{ properties.arr.length }}',
  '{{ "literal" }}', "{{ 'single' }}", '{{ 42 }}', '{{ 4.20 }}', '{{ true }}', '{{ nil }}', '{{ null }}', '{{ empty }}',
  '{{ (1..3) }}', '{{ properties.s | }}', '{{ }}', '{{', '}}', '{{ properties.s }', 'plain text', '',
  '{{ properties.s }} and {{ traits.name }}', '{{- properties.s -}}  x  ', '  {{- properties.s }}  ',
  // tags
  '{% if properties.t %}yes{% endif %}', '{% if properties.z %}yes{% else %}no{% endif %}',
  '{% if properties.e %}yes{% else %}no{% endif %}', '{% if properties.nil %}yes{% else %}no{% endif %}',
  '{% if properties.earr %}yes{% else %}no{% endif %}', '{% if properties.arr == empty %}e{% else %}ne{% endif %}',
  '{% if properties.earr == empty %}e{% else %}ne{% endif %}', '{% if properties.e == blank %}b{% endif %}',
  '{% if properties.sp == blank %}b{% else %}nb{% endif %}', '{% if properties.nil == nil %}n{% endif %}',
  '{% if properties.missing == nil %}n{% endif %}', '{% if properties.n > 75000 %}big{% endif %}',
  '{% if properties.intstr > 5 %}gt{% else %}le{% endif %}', '{% if properties.intstr == 42 %}eq{% else %}ne{% endif %}',
  '{% if properties.s contains "World" %}c{% endif %}', '{% if properties.sarr contains "a" %}c{% endif %}',
  '{% if properties.obj contains "a" %}c{% else %}nc{% endif %}', '{% if properties.t and properties.fa %}a{% elsif properties.t or properties.fa %}o{% endif %}',
  '{% if properties.t and properties.fa or properties.t %}x{% else %}y{% endif %}', '{% if 1 == 1.0 %}eq{% endif %}',
  '{% if "1" == 1 %}eq{% else %}ne{% endif %}', '{% if properties.n >= 75001 and properties.n <= 75001 %}r{% endif %}',
  '{% if properties.n != 1 %}ne{% endif %}', '{% if properties.n <> 1 %}ne{% endif %}', '{% if properties.arr %}a{% endif %}',
  '{% unless properties.fa %}u{% endunless %}', '{% unless properties.t %}u{% else %}e{% endunless %}',
  '{% assign x = properties.n | plus: 1 %}{{ x }}', '{% assign x = "a" %}{% assign x = x | append: "b" %}{{ x }}',
  '{% assign properties = "shadow" %}{{ properties }}', '{% capture c %}{{ properties.s }}!{% endcapture %}{{ c | upcase }}',
  '{% increment i %}{% increment i %}{{ i }}', '{% decrement d %}{% decrement d %}{{ d }}', '{% cycle "a", "b" %}{% cycle "a", "b" %}',
  '{% comment %}hidden {{ x }}{% endcomment %}shown', '{% raw %}{{ not parsed }}{% endraw %}', '{% # inline comment %}x',
  '{% echo properties.s | upcase %}', '{% liquid\nassign y = properties.n\necho y | plus: 1\n%}',
  '{% liquid\nif properties.t\necho "T"\nendif\n%}', '{% break %}x', '{% continue %}x', '{% block b %}in block{% endblock %}',
  '{% for x in properties.arr %}{{ x }}{% endfor %}', '{% case properties.s %}{% when "a" %}a{% endcase %}',
  '{% include "x" %}', '{% render "x" %}', '{% layout "x" %}', '{% tablerow x in properties.arr %}{{ x }}{% endtablerow %}',
  '{% ifchanged %}x{% endifchanged %}', '{% doc %}x{% enddoc %}', '{% nosuchtag %}', '{% if properties.t %}unclosed',
  '{% endif %}', '{% assign %}', '{{ properties.s | append }}', '{% if %}x{% endif %}', '{% if properties.t %}a{% else %}b{% else %}c{% endif %}',
  '{% if properties.t %}a{% elsif %}b{% endif %}', '{% raw %}unterminated', '{% comment %}unterminated',
  '{{ properties.s | upcase | downcase | capitalize | append: "!" | prepend: "> " }}', 'x'.repeat(1000), 'x'.repeat(1001),
  '{{ "a" | append: "b" | append: "c" }}'.padEnd(1000, ' '), '{% assign a = (1..5) %}{{ a | join: "," }}',
  '{% assign a = "1,2,3" | split: "," %}{{ a[1] }}{{ a.size }}', '{{ properties.sarr | join: ", " | upcase }}',
  '{% if properties.objs[0].name == "a" %}first a{% endif %}', '{{ properties.arr | first | plus: properties.arr.last }}',
  // added later: whitespace-only blocks, where on values, comparisons of mixed types
  '{% if properties.t %}  {% endif %}|', '{% unless properties.fa %} \n {% endunless %}|', 'a{% break %}b',
  '{{ properties.objs | where: "v", 2 | json }}', '{{ properties.objs | where: "name", "a" | sum: "v" }}',
  '{% if properties.s > "A" %}gt{% endif %}', '{% if properties.arr > 2 %}gt{% else %}le{% endif %}',
  '{% if properties.nil < 1 %}lt{% else %}ge{% endif %}', '{% if properties.missing >= 0 %}ge{% else %}lt{% endif %}',
  '{% if properties.s contains properties.missing %}c{% else %}nc{% endif %}', '{% if properties.arr contains 1 %}c{% endif %}',
  '{% if properties.arr contains "1" %}c{% else %}nc{% endif %}', '{% if properties.n contains 7 %}c{% else %}nc{% endif %}',
  '{{ properties.s | split: "" | size }}', '{{ properties.uni | slice: 10, 2 }}', '{{ properties.uni | truncate: 11 }}',
  '{{ "now" | date: "%Y" | size }}', '{{ 1e21 | date: "%Y" }}', '{{ -62198755200 | date: "%Y-%m-%d %a" }}',
  '{{ 253402300800 | date: "%Y-%m-%d %A %j %U %W" }}', '{{ "2024-02-29T23:59:59.999+05:30" | date: "%Y-%m-%d %H:%M:%S.%L" }}',
  '{{ "2023-02-29" | date: "%Y-%m-%d" }}', '{{ "Feb 30, 2024" | date: "%Y-%m-%d" }}', '{{ "2024-12-31" | date: "%U %W %j %u %w" }}',
  '{% unless properties.t %}x{% else %}y{% else %}z{% endunless %}', '{% if properties.t %}x{% else %}y{% elsif properties.fa %}z{% endif %}',
  'a\n {% if properties.t %}{% if properties.fa %}x{% else %}y{% endif %}{% else %}z{% else %}w{% endif %}',
  '{% raw %}{% if a %}{% else %}{% else %}{% endraw %}'
]
TEMPLATES.push(...SPECIFIC)

console.log(JSON.stringify({ id: 'event', event: EVENT }))
let id = 0
for (const template of TEMPLATES) {
  let expected
  try {
    if (template.length === 0) expected = { output: '' }
    else if (template.length > 1000) throw new Error('liquid template values are limited to 1000 characters')
    else {
      const out = engine.parseAndRenderSync(template, structuredClone(EVENT))
      expected = typeof out === 'string' ? { output: out } : { output: 'error' }
    }
  } catch (err) {
    expected = { error: String(err && err.message).split('\n')[0] }
  }
  id += 1
  console.log(JSON.stringify({ id: `liquid-${String(id).padStart(4, '0')}`, template, expected }))
}
console.error(`${id} cases`)
