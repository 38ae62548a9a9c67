/**
 * Compiled templates and the per-subscriber fill.
 *
 * At build time (scripts/build-templates.ts) MJML turns each template into HTML that still
 * carries markers: `{{name}}` slots, `<!--sift:each NAME-->…<!--sift:end NAME-->` blocks repeated
 * once per list entry, and `<!--sift:if NAME-->…<!--sift:end NAME-->` blocks kept when a value is
 * set, and `<!--sift:memo KEY-->…<!--sift:end KEY-->` blocks whose bytes are reused while every
 * value they read is unchanged (item-level parts shared by many subscribers; a `MemoKey` carries
 * them itself, and its owner vouches for the values). `compileSlots` parses that HTML into a
 * small tree; `prepareTemplate` turns the literal text into prebuilt UTF-8 byte segments once,
 * folding constant text into neighbouring memo and if blocks. `fillBytes` then lists the
 * segments of one email (summing its exact size), allocates it once and copies each byte once —
 * no MJML and no string building at send time, so it is fast and runs on Workers.
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

/**
 * A memo key that carries its blocks' cached bytes itself: e.g. an item id's bytes, kept by the
 * caller as one object per item. A memo block keyed by one finds its bytes in `blocks` by index
 * and reuses them without comparing values: the owner guarantees that every value a memo block
 * reads (see `memoInputs`) is the same whenever the key is, and takes a new key when one changes.
 */
export class MemoKey extends Uint8Array {
  /** Cached bytes, by memo block (each prepared memo block has its own index). */
  readonly blocks: (Uint8Array | undefined)[] = [];
}

/** A memo key for `value`: its escaped, encoded bytes (usable as a slot value too). */
export function memoKey(value: string): MemoKey {
  const key = new MemoKey(escapedLength(value));
  writeEscaped(key, 0, value);
  return key;
}

let memoBlocks = 0;

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
  /** If blocks: what is written when the value is not set (the literals around the block). */
  alt: Op[];
  /** Memo blocks: the values the block reads, and its cache. */
  inputs: string[];
  cache: Map<unknown, MemoEntry> | null;
  /** Memo blocks: this block's index into a MemoKey's entries. */
  index: number;
}

const NO_BYTES = new Uint8Array(0);
const op = (k: Op['k'], fields: Partial<Op>): Op => ({
  k,
  bytes: fields.bytes ?? NO_BYTES,
  name: fields.name ?? '',
  body: fields.body ?? [],
  alt: fields.alt ?? [],
  inputs: fields.inputs ?? [],
  cache: fields.cache ?? null,
  index: fields.index ?? -1,
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
      ops.push(
        op(MEMO, {
          name: n.memo,
          body: prepareNodes(n.body),
          inputs: [...inputs],
          cache: new Map(),
          index: memoBlocks++,
        }),
      );
    }
  }
  return absorbLiterals(ops);
}

/**
 * Moves literal text next to a memo block into it (text is constant, so the block stays valid),
 * and the literals around an if block into both of its branches; joins adjacent literals. A fill
 * then copies fewer, larger segments.
 */
function absorbLiterals(ops: Op[]): Op[] {
  const out: Op[] = [];
  for (const o of ops) {
    const last = out[out.length - 1];
    if (o.k === LITERAL && last?.k === MEMO) last.body = joinLiterals([...last.body, o]);
    else if (o.k === MEMO && last?.k === LITERAL) {
      out.pop();
      o.body = joinLiterals([last, ...o.body]);
      out.push(o);
    } else out.push(o);
  }
  const joined = joinLiterals(out);
  const result: Op[] = [];
  for (let i = 0; i < joined.length; i++) {
    const o = joined[i]!;
    if (o.k !== IF) {
      result.push(o);
      continue;
    }
    const before = result[result.length - 1]?.k === LITERAL ? result.pop()! : null;
    const after = joined[i + 1]?.k === LITERAL ? joined[++i]! : null;
    const around = (ops: Op[]) =>
      joinLiterals([...(before ? [before] : []), ...ops, ...(after ? [after] : [])]);
    result.push({ ...o, body: around(o.body), alt: around(o.alt) });
  }
  return result;
}

function joinLiterals(ops: Op[]): Op[] {
  const out: Op[] = [];
  for (const o of ops) {
    const last = out[out.length - 1];
    if (o.k === LITERAL && last?.k === LITERAL) {
      const bytes = new Uint8Array(last.bytes.length + o.bytes.length);
      bytes.set(last.bytes);
      bytes.set(o.bytes, last.bytes.length);
      out[out.length - 1] = op(LITERAL, { bytes });
    } else out.push(o);
  }
  return out;
}

/** The names of the values a template's memo blocks read (their owner keeps them per key). */
export function memoInputs(tpl: PreparedTemplate): Set<string> {
  const names = new Set<string>();
  const walk = (ops: Op[]): void => {
    for (const o of ops) {
      if (o.k === MEMO) {
        names.add(o.name);
        for (const n of o.inputs) names.add(n);
      }
      walk(o.body);
      walk(o.alt);
    }
  };
  walk(tpl.ops);
  return names;
}

/** Prebuilds a compiled template's literal segments as bytes (once per process or isolate). */
export function prepareTemplate(name: string, tpl: CompiledTemplate): PreparedTemplate {
  return { name, ops: prepareNodes(tpl.nodes) };
}

// Node's Buffer (also on Workers with nodejs_compat) allocates without zero-filling (every
// byte is written) and measures and encodes text natively; elsewhere a plain Uint8Array and
// JavaScript loops do the same job.
interface NodeBufferApi {
  allocUnsafe(size: number): Uint8Array;
  byteLength(text: string, encoding: 'utf8'): number;
}
interface NodeBufferLike extends Uint8Array {
  utf8Write(text: string, offset: number, length: number): number;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferApi }).Buffer;
const allocate = (size: number): Uint8Array =>
  NodeBuffer ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
const NEEDS_ESCAPE = /[&<>"']/;

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

// A fill runs in two passes. The first walks the template and lists its segments here: prebuilt
// bytes, or text (on Node already escaped, elsewhere still to be escaped), summing the exact
// output size on the way. The second
// allocates the output once and writes every segment into it: one copy of each byte, no
// scratch buffer, no growing. Fills are synchronous, so one list serves them all.
const segs: FillValue[] = [];
let count = 0;
let size = 0;

/** Writes segments `from`..`to` of the list at `at`; returns the new offset. */
function writeSegments(out: Uint8Array, at: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const s = segs[i]!;
    if (typeof s === 'string') {
      if (!NodeBuffer) at = writeEscaped(out, at, s);
      else if (typeof (out as NodeBufferLike).utf8Write === 'function')
        at += (out as NodeBufferLike).utf8Write(s, at, out.length - at);
      else at += encoder.encodeInto(s, out.subarray(at)).written;
    } else {
      out.set(s, at);
      at += s.length;
    }
  }
  return at;
}

/** Pass one: lists the segments of `ops` for these values. */
function collect(tpl: PreparedTemplate, ops: Op[], scopes: FillData[], depth: number): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const k = op.k;
    if (k === LITERAL) {
      segs[count++] = op.bytes;
      size += op.bytes.length;
    } else if (k === SLOT) {
      const v = lookup(scopes, depth, op.name);
      if (typeof v === 'string') {
        if (NodeBuffer) {
          // Most values need no escaping: a native scan and a native length, no per-char loop.
          const text = NEEDS_ESCAPE.test(v) ? escapeHtml(v) : v;
          segs[count++] = text;
          size += NodeBuffer.byteLength(text, 'utf8');
        } else {
          segs[count++] = v;
          size += escapedLength(v);
        }
      } else if (v instanceof Uint8Array) {
        segs[count++] = v;
        size += v.length;
      } else throw new Error(`render: template '${tpl.name}' has no value for slot '${op.name}'`);
    } else if (k === EACH) {
      const list = lookup(scopes, depth, op.name);
      if (list == null) continue;
      if (!Array.isArray(list))
        throw new Error(`render: '${op.name}' in template '${tpl.name}' must be a list`);
      for (let e = 0; e < list.length; e++) {
        scopes[depth + 1] = list[e]!;
        collect(tpl, op.body, scopes, depth + 1);
      }
    } else if (k === IF) {
      const flag = lookup(scopes, depth, op.name);
      const off =
        flag === false ||
        flag === null ||
        flag === undefined ||
        flag === '' ||
        (Array.isArray(flag) && flag.length === 0);
      collect(tpl, off ? op.alt : op.body, scopes, depth);
    } else memo(tpl, op, scopes, depth);
  }
}

/** A memo block: its cached bytes when every value it reads is unchanged, else filled now and kept. */
function memo(tpl: PreparedTemplate, op: Op, scopes: FillData[], depth: number): void {
  const cache = op.cache!;
  const key = lookup(scopes, depth, op.name);
  const owned = key instanceof MemoKey;
  if (owned) {
    const bytes = key.blocks[op.index];
    if (bytes !== undefined) {
      segs[count++] = bytes;
      size += bytes.length;
      return;
    }
  }
  const hit = owned ? undefined : cache.get(key);
  const inputs = op.inputs;
  if (hit) {
    let same = true;
    for (let i = 0; i < inputs.length; i++)
      if (hit.inputs[i] !== lookup(scopes, depth, inputs[i]!)) {
        same = false;
        break;
      }
    if (same) {
      segs[count++] = hit.bytes;
      size += hit.bytes.length;
      return;
    }
  }
  // Filled into its own bytes, which then stand in for the block's segments.
  const first = count;
  const before = size;
  collect(tpl, op.body, scopes, depth);
  const bytes = new Uint8Array(size - before);
  writeSegments(bytes, 0, first, count);
  count = first;
  segs[count++] = bytes;
  if (owned) key.blocks[op.index] = bytes;
  else {
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, { inputs: inputs.map((name) => lookup(scopes, depth, name)), bytes });
  }
}

/** Pass one for a whole template; leaves the segment list and size for pass two. */
function collectAll(tpl: PreparedTemplate, data: FillData): void {
  count = 0;
  size = 0;
  collect(tpl, tpl.ops, [data], 0);
}

/** The segments a fill assembles, in order, as bytes, and their total size (for measuring). */
export function fillChunks(tpl: PreparedTemplate, data: FillData): { chunks: Uint8Array[]; size: number } {
  collectAll(tpl, data);
  const chunks = segs
    .slice(0, count)
    .map((s) => (typeof s !== 'string' ? s : NodeBuffer ? encoder.encode(s) : htmlBytes(s)));
  return { chunks, size };
}

/**
 * Fills a prepared template: escaped values into slots, one copy of an `each` block per entry,
 * `if` blocks when their value is set (non-empty). Missing slot values throw, naming the slot.
 * The result is one byte array assembled from prebuilt segments.
 */
export function fillBytes(tpl: PreparedTemplate, data: FillData): Uint8Array {
  collectAll(tpl, data);
  const out = allocate(size);
  writeSegments(out, 0, 0, count);
  return out;
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
