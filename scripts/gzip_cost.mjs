// What each function costs after gzip: for a Wasm with a name section (scripts/named_wasm.sh),
// replaces one function body at a time with `unreachable` and reports how much the gzip -9 size
// of the module (custom sections dropped, as shipped) goes down. twiggy counts raw bytes; this
// counts what a browser downloads, which ranks differently (repetitive code compresses well).
//   usage: node scripts/gzip_cost.mjs NAMED.wasm [NAME_REGEX] [-n COUNT]
// The numbers are upper bounds of what removing or shrinking one function saves (its callees
// stay in), and Node's zlib differs from the gzip program by a few bytes.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const countAt = args.indexOf("-n");
const count = countAt >= 0 ? Number(args.splice(countAt, 2)[1]) : 40;
const [file, pattern] = args;
if (!file) {
  console.error("usage: node scripts/gzip_cost.mjs NAMED.wasm [NAME_REGEX] [-n COUNT]");
  process.exit(2);
}
const filter = pattern ? new RegExp(pattern) : null;
const bytes = readFileSync(file);

let pos = 0;
const leb = () => {
  let result = 0, shift = 0, b;
  do {
    b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return result;
};
const name = () => {
  const len = leb();
  pos += len;
  return bytes.toString("utf8", pos - len, pos);
};
const limits = () => {
  const flags = bytes[pos++];
  leb();
  if (flags & 1) leb();
};

// Sections: kept verbatim except the code section (rebuilt per trial) and custom ones (dropped).
const kept = [];
let importedFunctions = 0;
let bodies = null;
const names = new Map();
pos = 8;
while (pos < bytes.length) {
  const start = pos;
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    for (let n = leb(); n > 0; n--) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) (leb(), importedFunctions++);
      else if (kind === 1) (pos++, limits());
      else if (kind === 2) limits();
      else if (kind === 3) pos += 2;
      else if (kind === 4) (pos++, leb());
    }
  }
  if (id === 10) {
    bodies = [];
    for (let n = leb(); n > 0; n--) {
      const len = leb();
      bodies.push(bytes.subarray(pos, pos + len));
      pos += len;
    }
    kept.push(null);
  } else if (id === 0) {
    if (name() === "name") {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else {
    kept.push(bytes.subarray(start, end));
  }
  pos = end;
}
if (!bodies) throw new Error("no code section");

const encode = (n) => {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
};
const UNREACHABLE = Buffer.from([3, 0, 0x00, 0x0b]); // size 3: no locals, unreachable, end
const module = (replaced) => {
  const parts = [bodies.length].map(encode);
  bodies.forEach((body, i) => parts.push(...(i === replaced ? [UNREACHABLE] : [encode(body.length), body])));
  const code = Buffer.concat(parts);
  const section = Buffer.concat([Buffer.from([10]), encode(code.length), code]);
  return Buffer.concat([bytes.subarray(0, 8), ...kept.map((s) => s ?? section)]);
};
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

const base = gz(module(-1));
const rows = [];
bodies.forEach((body, i) => {
  const label = names.get(i + importedFunctions) ?? `func[${i + importedFunctions}]`;
  if (filter && !filter.test(label)) return;
  rows.push({ saved: base - gz(module(i)), raw: body.length, label });
});
rows.sort((a, b) => b.saved - a.saved);
console.log(`module without custom sections: ${base} B gzip (zlib -9); ${bodies.length} functions`);
console.log("gzip saved  raw bytes  function");
for (const r of rows.slice(0, count)) {
  console.log(`${String(r.saved).padStart(10)}  ${String(r.raw).padStart(9)}  ${r.label.slice(0, 150)}`);
}
