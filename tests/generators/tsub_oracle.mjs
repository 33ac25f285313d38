// Answers device-mode matcher cases with Segment's device-mode library, as it runs in
// analytics.js: reads {"ir", "event"} JSON lines on stdin, writes each case back with
// "expected": {"match"} or {"error"}. Run where @segment/tsub@2.0.1 is installed:
//   python tests/generators/tsub_cases.py | node tests/generators/tsub_oracle.mjs
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
const require = createRequire(process.cwd() + '/')
const matches = require('@segment/tsub/dist/matchers').default

for (const line of readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const c = JSON.parse(line)
  try {
    c.expected = { match: matches(c.event, { type: 'fql', ir: c.ir }) }
  } catch (err) {
    c.expected = { error: String(err && err.message) }
  }
  console.log(JSON.stringify(c))
}
