/**
 * A compiled template: literal HTML split at `{{slot}}` markers. `parts` alternates literal
 * text (even indices) and slot names (odd indices). A block between
 * `<!--sift:each NAME-->` and `<!--sift:end NAME-->` is kept apart to be repeated per entry.
 */
export interface CompiledTemplate {
  head: string[];
  blocks: Record<string, { parts: string[]; after: string[] }>;
  /** Block order: head, then each block's repeated parts followed by its `after` parts. */
  order: string[];
}

const SLOT = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}/g;
const BLOCK = /<!--sift:each ([a-zA-Z]+)-->([\s\S]*?)<!--sift:end \1-->/g;

function splitSlots(html: string): string[] {
  const parts: string[] = [];
  let last = 0;
  for (const m of html.matchAll(SLOT)) {
    parts.push(html.slice(last, m.index), m[1]!);
    last = m.index! + m[0].length;
  }
  parts.push(html.slice(last));
  return parts;
}

/** Splits compiled HTML into literal segments and slots (build time only). */
export function compileSlots(html: string): CompiledTemplate {
  const blocks: CompiledTemplate['blocks'] = {};
  const order: string[] = [];
  let head: string[] | null = null;
  let last = 0;
  let lastName = '';
  for (const m of html.matchAll(BLOCK)) {
    const before = splitSlots(html.slice(last, m.index));
    if (head === null) head = before;
    else blocks[lastName]!.after = before;
    blocks[m[1]!] = { parts: splitSlots(m[2]!), after: [] };
    order.push(m[1]!);
    lastName = m[1]!;
    last = m.index! + m[0].length;
  }
  const rest = splitSlots(html.slice(last));
  if (head === null) head = rest;
  else blocks[lastName]!.after = rest;
  return { head, blocks, order };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function fillParts(parts: string[], values: Record<string, string>, out: string[]): void {
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) out.push(parts[i]!);
    else {
      const v = values[parts[i]!];
      if (v === undefined) throw new Error(`render: no value for slot '${parts[i]}'`);
      out.push(escapeHtml(v));
    }
  }
}

/** Fills a compiled template: escaped values into slots, one copy of each block per entry. */
export function fillTemplate(
  tpl: CompiledTemplate,
  values: Record<string, string>,
  lists: Record<string, Record<string, string>[]> = {},
): string {
  const out: string[] = [];
  fillParts(tpl.head, values, out);
  for (const name of tpl.order) {
    const block = tpl.blocks[name]!;
    for (const entry of lists[name] ?? []) fillParts(block.parts, { ...values, ...entry }, out);
    fillParts(block.after, values, out);
  }
  return out.join('');
}
