/**
 * Compiled templates and the per-subscriber fill.
 *
 * At build time (scripts/build-templates.ts) MJML turns each template into HTML that still
 * carries markers: `{{name}}` slots, `<!--sift:each NAME-->…<!--sift:end NAME-->` blocks repeated
 * once per list entry, and `<!--sift:if NAME-->…<!--sift:end NAME-->` blocks kept when a value is
 * set, and `<!--sift:memo KEY-->…<!--sift:end KEY-->` blocks whose bytes are reused while every
 * value they read is unchanged (item-level parts shared by many subscribers). `compileSlots` parses that HTML into a small tree; `prepareTemplate` turns the literal
 * text into prebuilt UTF-8 byte segments once; `fillBytes` then only escapes values and copies
 * bytes — no MJML and no string building at send time, so it is fast and runs on Workers.
 *
 * Pure: no node: imports (TextEncoder/TextDecoder exist on Node and Workers alike).
 */

/** One node of a compiled template: literal text, a slot, or a block. */
export type TemplateNode =
  | string
  | { slot: string }
  | { each: string; body: TemplateNode[] }
  | { if: string; body: TemplateNode[] }
  | { memo: string; body: TemplateNode[] };

/** A compiled template, as generated into src/render/compiled/templates.ts. */
export interface CompiledTemplate {
  nodes: TemplateNode[];
}

/** A fill value: text (escaped by the fill) or bytes that are already escaped HTML. */
export type FillValue = string | Uint8Array;

/** The data for one fill: slot values, lists for `each` blocks, flags for `if` blocks. */
export interface FillData {
  [name: string]: FillValue | FillData[] | boolean | null | undefined;
}

const TOKEN = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}|<!--sift:(each|if|memo|end) ([a-zA-Z][a-zA-Z0-9]*)-->/g;

/** Parses marked-up text (compiled HTML or MJML source) into a template tree. Build time only. */
export function compileSlots(html: string): CompiledTemplate {
  const root: TemplateNode[] = [];
  const stack: { name: string; body: TemplateNode[] }[] = [{ name: '', body: root }];
  let last = 0;
  for (const m of html.matchAll(TOKEN)) {
    const top = stack[stack.length - 1]!;
    if (m.index! > last) top.body.push(html.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[1]) top.body.push({ slot: m[1] });
    else if (m[2] === 'end') {
      if (top.name !== m[3]) throw new Error(`templates: '<!--sift:end ${m[3]}-->' closes no open block`);
      stack.pop();
    } else {
      const body: TemplateNode[] = [];
      top.body.push(
        m[2] === 'each' ? { each: m[3]!, body } : m[2] === 'if' ? { if: m[3]!, body } : { memo: m[3]!, body },
      );
      stack.push({ name: m[3]!, body });
    }
  }
  if (stack.length > 1)
    throw new Error(`templates: block '${stack[stack.length - 1]!.name}' is never closed`);
  if (last < html.length) root.push(html.slice(last));
  return { nodes: root };
}

const ENTITIES: Record<number, string> = {
  38: '&amp;',
  60: '&lt;',
  62: '&gt;',
  34: '&quot;',
  39: '&#39;',
};

/**
 * Escapes text for HTML content and attribute values (& < > " '). A plain scan: most values
 * need nothing and come back as they are; the rest are rebuilt from slices, without a regex.
 */
export function escapeHtml(value: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 62 || (c !== 38 && c !== 60 && c !== 62 && c !== 34 && c !== 39)) continue;
    out += value.slice(last, i) + ENTITIES[c]!;
    last = i + 1;
  }
  return last === 0 ? value : out + value.slice(last);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Escapes and encodes a value once, for values shared by many fills (item titles, sources…). */
export function htmlBytes(value: string): Uint8Array {
  const out = new Uint8Array(escapedLength(value));
  writeEscaped(out, 0, value);
  return out;
}

/** Decodes filled bytes back to a string. */
export function bytesToString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A memo block's cache: its filled bytes per key, with the values they were filled from. A hit
 * only counts when every value the block reads is the same (===) as then, so a stale entry can
 * never be served: the key only picks the slot, correctness comes from the comparison.
 */
interface MemoEntry {
  inputs: FillData[string][];
  bytes: Uint8Array;
}
const MEMO_LIMIT = 20_000;

const LITERAL = 0;
const SLOT = 1;
const EACH = 2;
const IF = 3;
const MEMO = 4;

/**
 * One op of a prepared template. Every op has the same shape (one hidden class), so the fill's
 * dispatch on `k` stays monomorphic: literal bytes, a slot read, or an each / if / memo block.
 */
interface Op {
  k: 0 | 1 | 2 | 3 | 4;
  bytes: Uint8Array;
  name: string;
  body: Op[];
  /** Memo blocks: the values the block reads, and its cache. */
  inputs: string[];
  cache: Map<unknown, MemoEntry> | null;
}

const NO_BYTES = new Uint8Array(0);
const op = (k: Op['k'], fields: Partial<Op>): Op => ({
  k,
  bytes: fields.bytes ?? NO_BYTES,
  name: fields.name ?? '',
  body: fields.body ?? [],
  inputs: fields.inputs ?? [],
  cache: fields.cache ?? null,
});

/** A template whose literal text is prebuilt bytes, ready for many fills. */
export interface PreparedTemplate {
  readonly name: string;
  readonly ops: Op[];
}

function prepareNodes(nodes: TemplateNode[]): Op[] {
  const ops: Op[] = [];
  for (const n of nodes) {
    if (typeof n === 'string') {
      if (n.length > 0) ops.push(op(LITERAL, { bytes: encoder.encode(n) }));
    } else if ('slot' in n) ops.push(op(SLOT, { name: n.slot }));
    else if ('each' in n) ops.push(op(EACH, { name: n.each, body: prepareNodes(n.body) }));
    else if ('if' in n) ops.push(op(IF, { name: n.if, body: prepareNodes(n.body) }));
    else {
      const inputs = new Set<string>();
      const reads = (ns: TemplateNode[]): void => {
        for (const x of ns) {
          if (typeof x === 'string') continue;
          if ('slot' in x) inputs.add(x.slot);
          else if ('each' in x)
            throw new Error(`templates: an each block cannot sit inside memo '${n.memo}'`);
          else {
            if ('if' in x) inputs.add(x.if);
            reads(x.body);
          }
        }
      };
      reads(n.body);
      ops.push(op(MEMO, { name: n.memo, body: prepareNodes(n.body), inputs: [...inputs], cache: new Map() }));
    }
  }
  return ops;
}

/** Prebuilds a compiled template's literal segments as bytes (once per process or isolate). */
export function prepareTemplate(name: string, tpl: CompiledTemplate): PreparedTemplate {
  return { name, ops: prepareNodes(tpl.nodes) };
}

// Node's Buffer (also on Workers with nodejs_compat) encodes strings natively and allocates
// without zero-filling (every byte is written); elsewhere TextEncoder does the same work.
interface NodeBufferLike extends Uint8Array {
  write(text: string, offset: number, encoding: 'utf8'): number;
}
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      allocUnsafe(size: number): NodeBufferLike;
      byteLength(text: string, encoding: 'utf8'): number;
    };
  }
).Buffer;
const allocate = (size: number): Uint8Array =>
  NodeBuffer ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);

/** Writes (already escaped) text as UTF-8 at `at`; returns the new offset. */
function writeUtf8(out: Uint8Array, at: number, text: string): number {
  if (NodeBuffer && typeof (out as NodeBufferLike).write === 'function')
    return at + (out as NodeBufferLike).write(text, at, 'utf8');
  return at + encoder.encodeInto(text, out.subarray(at)).written;
}

function lookup(scopes: FillData[], depth: number, name: string): FillData[string] {
  const own = scopes[depth]![name];
  if (own !== undefined) return own;
  for (let i = depth - 1; i >= 0; i--) {
    const v = scopes[i]![name];
    if (v !== undefined) return v;
  }
  return undefined;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Bytes of `text` once HTML-escaped and UTF-8 encoded. */
function escapedLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      // &amp; &lt; &gt; &quot; &#39;
      if (c === 38) n += 4;
      else if (c === 60 || c === 62) n += 3;
      else if (c === 34) n += 5;
      else if (c === 39) n += 4;
    } else if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

const ENTITY: Record<number, number[]> = {
  38: [...'&amp;'].map((c) => c.charCodeAt(0)),
  60: [...'&lt;'].map((c) => c.charCodeAt(0)),
  62: [...'&gt;'].map((c) => c.charCodeAt(0)),
  34: [...'&quot;'].map((c) => c.charCodeAt(0)),
  39: [...'&#39;'].map((c) => c.charCodeAt(0)),
};

/**
 * Writes `text` HTML-escaped as UTF-8 at `at`; returns the new offset. A plain loop: for the
 * short values of a fill it beats TextEncoder, whose per-call cost dominates small strings.
 */
function writeEscaped(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 38 || c === 60 || c === 62 || c === 34 || c === 39) {
        const e = ENTITY[c]!;
        for (let k = 0; k < e.length; k++) out[at++] = e[k]!;
      } else out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff) {
        const low = text.charCodeAt(i + 1);
        if (isLowSurrogate(low)) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
          out[at++] = 0xf0 | (c >> 18);
          out[at++] = 0x80 | ((c >> 12) & 0x3f);
          out[at++] = 0x80 | ((c >> 6) & 0x3f);
          out[at++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      // A lone surrogate is not valid UTF-8: write U+FFFD like TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

// The fill writes straight into one growing scratch buffer, then copies the result out once:
// no list of parts, no second pass, no separate length computation. Fills are synchronous, so
// one scratch buffer serves them all.
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let record: Uint8Array[] | null = null;

// Node's Buffer#slice is a view: copies must go through Uint8Array#slice.
const copyOf = (start: number, end: number): Uint8Array => Uint8Array.prototype.slice.call(buf, start, end);

function ensure(extra: number): void {
  if (pos + extra <= buf.length) return;
  const next = allocate(Math.max(64 * 1024, (pos + extra) * 2));
  next.set(buf.subarray(0, pos));
  buf = next;
}

function emitBytes(bytes: Uint8Array): void {
  ensure(bytes.length);
  buf.set(bytes, pos);
  pos += bytes.length;
  record?.push(bytes);
}

function emitText(text: string): void {
  // Escaped text is at most 3 bytes per UTF-16 unit.
  ensure(text.length * 3);
  const start = pos;
  pos = writeUtf8(buf, pos, text);
  record?.push(copyOf(start, pos));
}

/** Writes a fill of `ops` at the scratch position. */
function run(tpl: PreparedTemplate, ops: Op[], scopes: FillData[], depth: number): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const k = op.k;
    if (k === LITERAL) emitBytes(op.bytes);
    else if (k === SLOT) {
      const v = lookup(scopes, depth, op.name);
      if (typeof v === 'string') emitText(escapeHtml(v));
      else if (v instanceof Uint8Array) emitBytes(v);
      else throw new Error(`render: template '${tpl.name}' has no value for slot '${op.name}'`);
    } else if (k === EACH) {
      const list = lookup(scopes, depth, op.name);
      if (list == null) continue;
      if (!Array.isArray(list))
        throw new Error(`render: '${op.name}' in template '${tpl.name}' must be a list`);
      for (const entry of list) {
        scopes[depth + 1] = entry;
        run(tpl, op.body, scopes, depth + 1);
      }
    } else if (k === IF) {
      const flag = lookup(scopes, depth, op.name);
      if (flag === false || flag === null || flag === undefined || flag === '') continue;
      if (Array.isArray(flag) && flag.length === 0) continue;
      run(tpl, op.body, scopes, depth);
    } else memo(tpl, op, scopes, depth);
  }
}

/** A memo block: its cached bytes when every value it reads is unchanged, else filled now and kept. */
function memo(tpl: PreparedTemplate, op: Op, scopes: FillData[], depth: number): void {
  const cache = op.cache!;
  const key = lookup(scopes, depth, op.name);
  const hit = cache.get(key);
  const inputs = op.inputs;
  if (hit) {
    let same = true;
    for (let i = 0; i < inputs.length; i++)
      if (hit.inputs[i] !== lookup(scopes, depth, inputs[i]!)) {
        same = false;
        break;
      }
    if (same) {
      emitBytes(hit.bytes);
      return;
    }
  }
  const outer = record;
  record = null;
  const start = pos;
  run(tpl, op.body, scopes, depth);
  record = outer;
  const bytes = copyOf(start, pos);
  record?.push(bytes);
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, { inputs: inputs.map((name) => lookup(scopes, depth, name)), bytes });
}

function fillInto(tpl: PreparedTemplate, data: FillData, chunks: Uint8Array[] | null): Uint8Array {
  pos = 0;
  record = chunks;
  try {
    run(tpl, tpl.ops, [data], 0);
  } finally {
    record = null;
  }
  const out = allocate(pos);
  out.set(buf.subarray(0, pos));
  return out;
}

/** The segments a fill assembles, in order, as bytes, and their total size (for measuring). */
export function fillChunks(tpl: PreparedTemplate, data: FillData): { chunks: Uint8Array[]; size: number } {
  const chunks: Uint8Array[] = [];
  const size = fillInto(tpl, data, chunks).length;
  return { chunks, size };
}

/**
 * Fills a prepared template: escaped values into slots, one copy of an `each` block per entry,
 * `if` blocks when their value is set (non-empty). Missing slot values throw, naming the slot.
 * The result is one byte array assembled from prebuilt segments.
 */
export function fillBytes(tpl: PreparedTemplate, data: FillData): Uint8Array {
  return fillInto(tpl, data, null);
}

/** Fills a prepared template and returns the HTML as a string. */
export function fillTemplate(tpl: PreparedTemplate, data: FillData): string {
  return decoder.decode(fillBytes(tpl, data));
}

function valueText(v: FillData[string], name: string): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (v instanceof Uint8Array) return decoder.decode(v);
  throw new Error(`render: no value for slot '${name}'`);
}

function expandNodes(nodes: TemplateNode[], scopes: FillData[], out: string[]): void {
  for (const n of nodes) {
    if (typeof n === 'string') out.push(n);
    else if ('slot' in n) out.push(valueText(lookup(scopes, scopes.length - 1, n.slot), n.slot));
    else if ('each' in n) {
      const list = lookup(scopes, scopes.length - 1, n.each);
      for (const entry of Array.isArray(list) ? list : []) expandNodes(n.body, [...scopes, entry], out);
    } else if ('memo' in n) expandNodes(n.body, scopes, out);
    else {
      const flag = lookup(scopes, scopes.length - 1, n.if);
      const on = !(
        flag === false ||
        flag == null ||
        flag === '' ||
        (Array.isArray(flag) && flag.length === 0)
      );
      if (on) expandNodes(n.body, scopes, out);
    }
  }
}

/**
 * The naive way, kept as the reference: expands the same markers in template *source* text
 * (e.g. MJML, before `mjml2html`) with the same escaping. Tests and the benchmark compare the
 * fill against `mjml2html(expandSource(source, data))`.
 */
export function expandSource(source: string, data: FillData): string {
  const out: string[] = [];
  expandNodes(compileSlots(source).nodes, [data], out);
  return out.join('');
}
