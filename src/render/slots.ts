/**
 * Compiled templates and the per-subscriber fill.
 *
 * At build time (scripts/build-templates.ts) MJML turns each template into HTML that still
 * carries markers: `{{name}}` slots, `<!--sift:each NAME-->…<!--sift:end NAME-->` blocks repeated
 * once per list entry, and `<!--sift:if NAME-->…<!--sift:end NAME-->` blocks kept when a value is
 * set, and `<!--sift:memo KEY-->…<!--sift:end KEY-->` blocks whose bytes are reused under the same
 * key (item-level parts shared by many subscribers): a `MemoKey` carries them itself, and its
 * owner vouches for the values they read; under any other key a memo block is filled every time.
 * `compileSlots` parses that HTML into a small tree, and the build turns each tree into a fill
 * function (src/render/compiled/templates.ts): names resolved to property reads, each blocks to
 * loops, literal text to numbered segments. A fill writes the segments of one email through its
 * `PreparedTemplate` (prebuilt literal bytes, cached memo bytes, values) straight into one output,
 * copying each byte once. No MJML, no template walk and no string building at send time, and no
 * code made at run time (Workers forbid eval), so it is fast and runs on Workers.
 *
 * Pure: no node: imports (TextEncoder/TextDecoder exist on Node and Workers alike).
 */

/** One node of a parsed template: literal text, a slot, or a block. */
export type TemplateNode =
  | string
  | { slot: string }
  | { each: string; body: TemplateNode[] }
  | { if: string; body: TemplateNode[] }
  | { memo: string; body: TemplateNode[] };

/** A parsed template, as `compileSlots` returns it (build time only). */
export interface TemplateTree {
  nodes: TemplateNode[];
}

/** A fill value: text (escaped by the fill) or bytes that are already escaped HTML. */
export type FillValue = string | Uint8Array;

/** The data for one fill: slot values, lists for `each` blocks, flags for `if` blocks. */
export interface FillData {
  [name: string]: FillValue | FillData[] | boolean | null | undefined;
}

/** A template as generated into src/render/compiled/templates.ts by scripts/build-templates.ts. */
export interface CompiledTemplate {
  /** Literal text, by the index the fill passes to `lit`. */
  literals: string[];
  /** For each memo block, by index: its key's name, then the other names it reads (see `memoInputs`). */
  memos: string[][];
  /** Writes the segments of one email for `data` through `r` (see `PreparedTemplate`). */
  fill(data: FillData, r: PreparedTemplate): void;
}

const TOKEN = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}|<!--sift:(each|if|memo|end) ([a-zA-Z][a-zA-Z0-9]*)-->/g;

/** Parses marked-up text (compiled HTML or MJML source) into a template tree. Build time only. */
export function compileSlots(html: string): TemplateTree {
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
/** The same entities as bytes (all ASCII), for writeEscaped. */
const ENTITY: Record<number, number[]> = Object.fromEntries(
  Object.entries(ENTITIES).map(([c, entity]) => [c, [...entity].map((ch) => ch.charCodeAt(0))]),
);

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

// Node's Buffer (also on Workers with nodejs_compat) allocates without zero-filling (every
// byte is written) and encodes text natively; elsewhere a plain Uint8Array and JavaScript
// loops do the same job.
interface NodeBufferApi {
  allocUnsafe(size: number): Uint8Array;
  from(text: string, encoding: 'utf8'): Uint8Array;
}
interface NodeBufferLike extends Uint8Array {
  utf8Write(text: string, offset: number, length: number): number;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferApi }).Buffer;
const allocate = (size: number): Uint8Array =>
  NodeBuffer ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
const NEEDS_ESCAPE = /[&<>"']/;

/** `text` HTML-escaped: a native scan first, as most values need nothing and come back as they are. */
function escaped(text: string): string {
  return NEEDS_ESCAPE.test(text) ? escapeHtml(text) : text;
}

/** Escapes and encodes a value once, for values written as bytes (item titles, sources…). */
export function htmlBytes(value: string): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(escaped(value), 'utf8');
  const out = new Uint8Array(escapedLength(value));
  writeEscaped(out, 0, value);
  return out;
}

/** Decodes filled bytes back to a string. */
export function bytesToString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A memo key that carries its blocks' cached bytes itself: e.g. an item id's bytes, kept by the
 * caller as one object per item. A memo block keyed by one finds its bytes in `blocks` by index
 * and reuses them without comparing values: the owner guarantees that every value a memo block
 * reads (see `memoInputs`) is the same whenever the key is, and takes a new key when one changes.
 * A memo block keyed by anything else keeps nothing: it is filled every time.
 */
export class MemoKey extends Uint8Array {
  /** Cached bytes, by memo block (each prepared memo block has its own index). */
  readonly blocks: (Uint8Array | undefined)[] = [];
}

/**
 * A memo key for `value`: its escaped, encoded bytes (usable as a slot value too). `make` builds
 * a subclass, for an owner that keeps its own values on the key (one object to reach, not two).
 */
export function memoKey<K extends MemoKey = MemoKey>(
  value: string,
  make: (length: number) => K = (length) => new MemoKey(length) as K,
): K {
  const key = make(escapedLength(value));
  writeEscaped(key, 0, value);
  return key;
}

let memoBlocks = 0;

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

// A fill writes each segment straight into the output as the generated fill lists it: prebuilt
// bytes are copied, text is escaped and encoded in place: one pass, one copy of each byte, no
// segment list. The output is one scratch buffer that every fill reuses (fills are synchronous,
// and every caller turns the bytes into a string or copies them before the next fill): a fresh
// ~45 KB buffer per email cost a third of the fill in allocation, page faults and GC, and a
// reused one stays in cache. It has room for about as much as the template's last fill wrote
// and is grown by copying when an email is larger; one that grew past SCRATCH_LIMIT (a huge
// over-budget email) is not kept.
const NO_OUTPUT = new Uint8Array(0);
const SCRATCH_LIMIT = 1 << 20;
let out: Uint8Array = NO_OUTPUT;
let at = 0;
// fillChunks: the segments written, each with its offset (so a memo block can replace its own).
let chunks: Uint8Array[] | null = null;
let chunkStarts: number[] = [];

function grow(needed: number): void {
  const bigger = allocate(Math.max(out.length * 2, at + needed));
  bigger.set(out.subarray(0, at));
  out = bigger;
}

function push(bytes: Uint8Array): void {
  if (at + bytes.length > out.length) grow(bytes.length);
  if (chunks !== null) {
    chunks.push(bytes);
    chunkStarts.push(at);
  }
  out.set(bytes, at);
  at += bytes.length;
}

// Escaped, a UTF-16 unit takes at most 6 bytes (&quot;); unescaped at most 3.
const MAX_BYTES_PER_UNIT = 6;

function pushText(text: string): void {
  if (at + text.length * MAX_BYTES_PER_UNIT > out.length) grow(text.length * MAX_BYTES_PER_UNIT);
  const start = at;
  if (!NodeBuffer) at = writeEscaped(out, at, text);
  else {
    // Most values need no escaping: a native scan and native encoding, no per-char loop.
    const html = escaped(text);
    if (typeof (out as NodeBufferLike).utf8Write === 'function')
      at += (out as NodeBufferLike).utf8Write(html, at, out.length - at);
    else at += encoder.encodeInto(html, out.subarray(at)).written;
  }
  if (chunks !== null) {
    chunks.push(new Uint8Array(out.subarray(start, at)));
    chunkStarts.push(start);
  }
}

const NO_ENTRIES: FillData[] = [];

/**
 * A compiled template ready for many fills: its literal text as bytes (once per process or
 * isolate). Its methods are what the generated fill calls to write segments.
 */
export class PreparedTemplate {
  private readonly bytes: Uint8Array[];
  /** This template's first index into a MemoKey's blocks (each prepared memo block has its own). */
  private readonly base: number;
  /** The room the output needs before the next fill: about the last email's size (see `run`). */
  expectedSize = 16 * 1024;

  constructor(
    readonly name: string,
    readonly compiled: CompiledTemplate,
  ) {
    this.bytes = compiled.literals.map((text) => encoder.encode(text));
    this.base = memoBlocks;
    memoBlocks += compiled.memos.length;
  }

  /** Literal text `i`. */
  lit(i: number): void {
    push(this.bytes[i]!);
  }

  /** A slot's value: text is escaped, bytes are taken as they are; anything else is an error. */
  slot(v: FillData[string], name: string): void {
    if (typeof v === 'string') pushText(v);
    else if (v instanceof Uint8Array) push(v);
    else throw new Error(`render: template '${this.name}' has no value for slot '${name}'`);
  }

  /** An each block's entries (none when the value is not set). */
  list(v: FillData[string], name: string): FillData[] {
    if (v == null) return NO_ENTRIES;
    if (!Array.isArray(v)) throw new Error(`render: '${name}' in template '${this.name}' must be a list`);
    return v;
  }

  /** Whether an if block is kept: its value is set and not empty. */
  on(v: FillData[string]): boolean {
    return !(v === false || v == null || v === '' || (Array.isArray(v) && v.length === 0));
  }

  /** A name inside an each block: the entry's own value, else the enclosing one. */
  pick(own: FillData[string], outer: FillData[string]): FillData[string] {
    return own !== undefined ? own : outer;
  }

  /** Memo block `i` under a MemoKey that already holds its bytes: listed, and the block skipped. */
  cached(i: number, key: FillData[string]): boolean {
    if (!(key instanceof MemoKey)) return false;
    const bytes = key.blocks[this.base + i];
    if (bytes === undefined) return false;
    push(bytes);
    return true;
  }

  /** Where a memo block's bytes start, for `keep`. */
  mark(): number {
    return at;
  }

  /** Keeps memo block `i`'s bytes (written since `from`) on `key`, if it is a MemoKey. */
  keep(i: number, key: FillData[string], from: number): void {
    if (!(key instanceof MemoKey)) return;
    const bytes = allocate(at - from);
    bytes.set(out.subarray(from, at));
    if (chunks !== null) {
      // The block's bytes stand in for its segments from now on.
      while (chunkStarts.length > 0 && chunkStarts[chunkStarts.length - 1]! >= from) {
        chunks.pop();
        chunkStarts.pop();
      }
      chunks.push(bytes);
      chunkStarts.push(from);
    }
    key.blocks[this.base + i] = bytes;
  }
}

/** Prepares a compiled template for fills (once per process or isolate). */
export function prepareTemplate(name: string, compiled: CompiledTemplate): PreparedTemplate {
  return new PreparedTemplate(name, compiled);
}

/** The names of the values a template's memo blocks read (their owner keeps them per key). */
export function memoInputs(tpl: PreparedTemplate): Set<string> {
  return new Set(tpl.compiled.memos.flat());
}

/** Runs the generated fill into the scratch output; returns the number of bytes written. */
function run(tpl: PreparedTemplate, data: FillData): number {
  if (out.length < tpl.expectedSize) out = allocate(tpl.expectedSize);
  at = 0;
  tpl.compiled.fill(data, tpl);
  // Room for the next email: about this one's size (emails of one template differ little).
  tpl.expectedSize = at + (at >> 4) + 512;
  return at;
}

/** The segments a fill assembles, in order, as bytes, and their total size (for measuring). */
export function fillChunks(tpl: PreparedTemplate, data: FillData): { chunks: Uint8Array[]; size: number } {
  const list: Uint8Array[] = [];
  chunks = list;
  chunkStarts = [];
  try {
    return { chunks: list, size: run(tpl, data) };
  } finally {
    chunks = null;
  }
}

/**
 * Fills a prepared template: escaped values into slots, one copy of an `each` block per entry,
 * `if` blocks when their value is set (non-empty). Missing slot values throw, naming the slot.
 * The result is a view of the scratch output, assembled from prebuilt segments: valid until the
 * next fill, which writes over it. Decode it (`bytesToString`) or copy it (`new Uint8Array(bytes)`;
 * not `.slice()`, which on a Node Buffer is a view) to keep it.
 */
export function fillBytes(tpl: PreparedTemplate, data: FillData): Uint8Array {
  const size = run(tpl, data);
  const email = out.subarray(0, size);
  if (out.length > SCRATCH_LIMIT) out = NO_OUTPUT;
  return email;
}

/** Fills a prepared template and returns the HTML as a string. */
export function fillTemplate(tpl: PreparedTemplate, data: FillData): string {
  return decoder.decode(fillBytes(tpl, data));
}

function lookup(scopes: FillData[], name: string): FillData[string] {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const v = scopes[i]![name];
    if (v !== undefined) return v;
  }
  return undefined;
}

function valueText(v: FillData[string], name: string): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (v instanceof Uint8Array) return decoder.decode(v);
  throw new Error(`render: no value for slot '${name}'`);
}

function expandNodes(nodes: TemplateNode[], scopes: FillData[], out: string[]): void {
  for (const n of nodes) {
    if (typeof n === 'string') out.push(n);
    else if ('slot' in n) out.push(valueText(lookup(scopes, n.slot), n.slot));
    else if ('each' in n) {
      const list = lookup(scopes, n.each);
      for (const entry of Array.isArray(list) ? list : []) expandNodes(n.body, [...scopes, entry], out);
    } else if ('memo' in n) expandNodes(n.body, scopes, out);
    else {
      const flag = lookup(scopes, n.if);
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
