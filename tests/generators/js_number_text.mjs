// Writes tests/golden/js_number_text.json: String(n) for a spread of doubles, as Node
// prints them. The table is the reference for fql.js.js_number; run with
//   node tests/generators/js_number_text.mjs > tests/golden/js_number_text.json
// Each entry is [bits, text]: the double's IEEE-754 bits as 16 hex digits (exact, -0 and
// NaN included) and Node's String(n).

let state = 0x2545f491n;
function next64() {  // xorshift64*: a fixed, seedable sequence
  state ^= state >> 12n; state ^= (state << 25n) & 0xffffffffffffffffn; state ^= state >> 27n;
  return (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
const view = new DataView(new ArrayBuffer(8));
const fromBits = (b) => { view.setBigUint64(0, b); return view.getFloat64(0); };
const toBits = (x) => { view.setFloat64(0, x); return view.getBigUint64(0).toString(16).padStart(16, '0'); };

const values = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.1, 0.2 + 0.1, 1 / 3, 100, 1e20, 1e21,
  1e-6, 1e-7, 123e-20, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 64, 1.5e300, 5e-324,
  Number.MAX_VALUE, Number.MIN_VALUE, 123456789012345680000, 999999999999999900000,
  0.000001, 0.0000012345, 1.7976931348623157e308, 4.35, 0.5, 1e100, 12345.6789];
for (let e = -30; e <= 30; e++) { values.push(10 ** e, 1.5 * 10 ** e, -7 * 10 ** e); }
for (let i = 0; i < 400; i++) {                   // any bit pattern
  const x = fromBits(next64());
  if (!Number.isNaN(x)) values.push(x);
}
for (let i = 0; i < 200; i++) {                   // integers of every size
  const digits = Number(next64() % 25n) + 1;
  values.push(Number(next64() % (10n ** BigInt(digits))) * (i % 2 ? -1 : 1));
}
for (let i = 0; i < 200; i++) {                   // short decimals at every scale
  const mantissa = Number(next64() % 100000n);
  const exponent = Number(next64() % 60n) - 30;
  values.push(mantissa * 10 ** exponent);
}
console.log(JSON.stringify(values.map((x) => [toBits(x), String(x)])));
