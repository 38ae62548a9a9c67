/**
 * Compiles templates/*.mjml (partials under templates/partials/ are included by them) once into
 * HTML split at its slots and blocks, written to src/render/compiled/templates.ts. MJML runs only
 * here: at send time a fill writes values into prebuilt segments, which is fast and also works in
 * Workers (where MJML cannot run). Skips the work when nothing changed since the last build;
 * `--force` rebuilds anyway.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';
import {
  type CompiledTemplate,
  compileSlots,
  expandSource,
  type FillData,
  type TemplateNode,
  type TemplateTree,
} from '../src/render/slots.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const templatesDir = join(root, 'templates');
const outDir = join(root, 'src/render/compiled');
const outFile = join(outDir, 'templates.ts');

/** MJML options shared by the build and by the per-email reference render in tests and bench. */
export function mjmlOptions(preprocess?: (xml: string) => string) {
  return {
    validationLevel: 'strict' as const,
    filePath: join(templatesDir, 'digest.mjml'),
    // No web-font imports: an email must not make the reader's client call third parties.
    fonts: {},
    // MJML 5 ignores <mj-include> unless asked; partials may come from templates/ only.
    ignoreIncludes: false,
    includePath: templatesDir,
    // The fill's block markers are HTML comments: MJML must keep them.
    keepComments: true,
    ...(preprocess ? { preprocessors: [preprocess] } : {}),
  };
}

/**
 * Whitespace runs that contain a line break carry no meaning in this HTML (no <pre>): one line
 * break keeps the email small (Gmail clips at ~102 KB) and the compiled output readable.
 */
export function collapseWhitespace(html: string): string {
  return html.replace(/[ \t]*\n\s*/g, '\n');
}

/** Compiles one template with MJML; throws with every validation error. */
export async function compileMjml(name: string, data?: FillData): Promise<string> {
  const source = readFileSync(join(templatesDir, `${name}.mjml`), 'utf8');
  const result = await mjml2html(source, mjmlOptions(data ? (xml) => expandSource(xml, data) : undefined));
  if (result.errors.length > 0)
    throw new Error(
      `build-templates: ${name}.mjml:\n${result.errors.map((e) => `  ${e.formattedMessage}`).join('\n')}`,
    );
  return result.html;
}

const IF_MSO = /^\s*<!--\[if mso \| IE\]>/;
const ENDIF = /<!\[endif\]-->\s*$/;

function isSectionBlock(n: TemplateNode): n is Extract<TemplateNode, { body: TemplateNode[] }> {
  if (typeof n === 'string' || 'slot' in n) return false;
  const first = n.body[0];
  const last = n.body[n.body.length - 1];
  return typeof first === 'string' && IF_MSO.test(first) && typeof last === 'string' && ENDIF.test(last);
}

/**
 * MJML merges adjacent Outlook conditionals (`<![endif]--><!--[if mso | IE]>`) between sections.
 * A block of whole sections sits between such seams, so the seams around and inside it are
 * removed here once: any number of repetitions then gives exactly what MJML would have output.
 */
export function mergeOutlookSeams(tpl: TemplateTree): TemplateTree {
  const walk = (nodes: TemplateNode[]): TemplateNode[] => {
    const out = nodes.map((n) =>
      typeof n === 'string' || 'slot' in n ? n : { ...n, body: walk(n.body) },
    ) as TemplateNode[];
    const blank = (n: TemplateNode | undefined) => typeof n === 'string' && n.trim() === '';
    const stripped = new Set<number>();
    // Decided before any stripping: a stripped block no longer looks like a section.
    const section = out.map(isSectionBlock);
    for (let i = 0; i < out.length; i++) {
      if (!section[i]) continue;
      let before = i - 1;
      while (before >= 0 && (blank(out[before]) || section[before])) before--;
      let after = i + 1;
      while (after < out.length && (blank(out[after]) || section[after])) after++;
      const prev = out[before];
      const next = out[after];
      if (typeof prev !== 'string' || typeof next !== 'string') continue;
      if (!(ENDIF.test(prev) || stripped.has(before)) || !(IF_MSO.test(next) || stripped.has(after)))
        continue;
      const block = out[i] as Extract<TemplateNode, { body: TemplateNode[] }>;
      const body = [...block.body];
      body[0] = (body[0] as string).replace(IF_MSO, '\n');
      body[body.length - 1] = (body[body.length - 1] as string).replace(ENDIF, '\n');
      out[i] = { ...block, body };
      out[before] = prev.replace(ENDIF, '\n');
      out[after] = next.replace(IF_MSO, '\n');
      stripped.add(before).add(after);
    }
    return out;
  };
  return { nodes: walk(tpl.nodes) };
}

/** A template node once its literal text is folded: an if block also has what is written when it is off. */
type Op =
  | string
  | { slot: string }
  | { each: string; body: Op[] }
  | { if: string; body: Op[]; alt: Op[] }
  | { memo: string; reads: string[]; body: Op[] };

/**
 * Constant text longer than this stays its own segment instead of joining a memo block: one copy
 * shared by every card stays in cache, where a copy inside each item's memo bytes is read cold
 * for every card (the digest's 1.3 KB card opening: ~1 µs per email less copying, measured).
 */
export const SHARED_LITERAL = 512;

const isText = (o: Op | undefined): o is string => typeof o === 'string';

function joinLiterals(ops: Op[]): Op[] {
  const out: Op[] = [];
  for (const o of ops) {
    const last = out[out.length - 1];
    if (isText(o) && isText(last)) out[out.length - 1] = last + o;
    else if (!isText(o) || o.length > 0) out.push(o);
  }
  return out;
}

/** The names a memo block's body reads (each blocks cannot sit inside one). */
function memoReads(name: string, nodes: TemplateNode[], into = new Set<string>()): Set<string> {
  for (const n of nodes) {
    if (typeof n === 'string') continue;
    if ('slot' in n) into.add(n.slot);
    else if ('each' in n) throw new Error(`templates: an each block cannot sit inside memo '${name}'`);
    else {
      into.add('if' in n ? n.if : n.memo);
      memoReads(name, n.body, into);
    }
  }
  return into;
}

/**
 * Folds literal text so a fill copies fewer, larger segments: text next to a memo block moves
 * into it (text is constant, so the block stays valid) unless it is long (see SHARED_LITERAL),
 * the text around an if block goes into both of its branches, and adjacent text is joined.
 */
export function foldLiterals(nodes: TemplateNode[]): Op[] {
  const ops: Op[] = joinLiterals(
    nodes.map((n): Op => {
      if (typeof n === 'string' || 'slot' in n) return n;
      if ('each' in n) return { each: n.each, body: foldLiterals(n.body) };
      if ('if' in n) return { if: n.if, body: foldLiterals(n.body), alt: [] };
      const reads = memoReads(n.memo, n.body);
      // The key picks the cached bytes: it is not one of the values they were filled from.
      reads.delete(n.memo);
      return { memo: n.memo, reads: [...reads], body: foldLiterals(n.body) };
    }),
  );
  const absorbed: Op[] = [];
  for (const o of ops) {
    const last = absorbed[absorbed.length - 1];
    if (isText(o) && o.length <= SHARED_LITERAL && last !== undefined && !isText(last) && 'memo' in last)
      last.body = joinLiterals([...last.body, o]);
    else if (!isText(o) && 'memo' in o && isText(last) && last.length <= SHARED_LITERAL) {
      absorbed.pop();
      absorbed.push({ ...o, body: joinLiterals([last, ...o.body]) });
    } else absorbed.push(o);
  }
  const out: Op[] = [];
  for (let i = 0; i < absorbed.length; i++) {
    const o = absorbed[i]!;
    if (isText(o) || !('if' in o)) {
      out.push(o);
      continue;
    }
    const before = isText(out[out.length - 1]) ? [out.pop()!] : [];
    const after = isText(absorbed[i + 1]) ? [absorbed[++i]!] : [];
    out.push({
      ...o,
      body: joinLiterals([...before, ...o.body, ...after]),
      alt: joinLiterals([...before, ...after]),
    });
  }
  return joinLiterals(out);
}

/** A template's generated fill: its literals and memo blocks, and the fill's body as source. */
export type GeneratedFill = Omit<CompiledTemplate, 'fill'> & { body: string };

/**
 * Generates a template's fill: plain JavaScript (valid TypeScript too) over `d` (the data) and
 * `r` (its PreparedTemplate). Names become property reads, innermost each entry first; each
 * blocks become loops; literal text becomes indexes into `literals`, equal texts sharing one.
 */
export function generateFill(tree: TemplateTree): GeneratedFill {
  const literals: string[] = [];
  const memos: string[][] = [];
  const literalIndex = new Map<string, number>();
  let vars = 0;
  const lines: string[] = [];
  const emit = (ops: Op[], scopes: string[], indent: string): void => {
    const ref = (name: string) =>
      scopes.reduce(
        (outer, scope) => (outer ? `r.pick(${scope}.${name}, ${outer})` : `${scope}.${name}`),
        '',
      );
    for (const o of ops) {
      if (isText(o)) {
        let i = literalIndex.get(o);
        if (i === undefined) literalIndex.set(o, (i = literals.push(o) - 1));
        lines.push(`${indent}r.lit(${i});`);
      } else if ('slot' in o) lines.push(`${indent}r.slot(${ref(o.slot)}, '${o.slot}');`);
      else if ('each' in o) {
        const entry = `e${++vars}`;
        lines.push(`${indent}for (const ${entry} of r.list(${ref(o.each)}, '${o.each}')) {`);
        emit(o.body, [...scopes, entry], `${indent}  `);
        lines.push(`${indent}}`);
      } else if ('if' in o) {
        lines.push(`${indent}if (r.on(${ref(o.if)})) {`);
        emit(o.body, scopes, `${indent}  `);
        if (o.alt.length > 0) {
          lines.push(`${indent}} else {`);
          emit(o.alt, scopes, `${indent}  `);
        }
        lines.push(`${indent}}`);
      } else {
        // Bytes kept on a MemoKey are reused; under any other key the block is filled every time.
        const m = memos.push([o.memo, ...o.reads]) - 1;
        const n = ++vars;
        const inner = `${indent}  `;
        lines.push(
          `${indent}// memo ${o.memo}`,
          `${indent}const k${n} = ${ref(o.memo)};`,
          `${indent}if (!r.cached(${m}, k${n})) {`,
          `${inner}const at${n} = r.mark();`,
        );
        emit(o.body, scopes, inner);
        lines.push(`${inner}r.keep(${m}, k${n}, at${n});`, `${indent}}`);
      }
    }
  };
  emit(foldLiterals(tree.nodes), ['d'], '');
  return { literals, memos, body: lines.join('\n') };
}

/** The source of src/render/compiled/templates.ts for these generated fills. */
export function templatesModule(fills: Record<string, GeneratedFill>, hash: string): string {
  const names = Object.keys(fills).sort();
  const entries = names.map((name) => {
    const { literals, memos, body } = fills[name]!;
    const fill = body.replace(/^/gm, '      ');
    return (
      `  ${name}: {\n` +
      `    literals: ${JSON.stringify(literals)},\n` +
      `    memos: ${JSON.stringify(memos)},\n` +
      `    fill(d: FillData, r: PreparedTemplate): void {\n${fill}\n    },\n` +
      `  },\n`
    );
  });
  return (
    `// Generated by scripts/build-templates.ts from templates/*.mjml — do not edit. hash: ${hash}\n` +
    `import type { CompiledTemplate, FillData, PreparedTemplate } from '../slots.ts';\n\n` +
    `/** Names of the compiled templates. */\n` +
    `export type TemplateName = ${names.map((n) => `'${n}'`).join(' | ')};\n\n` +
    `/** Each template's literal text, what its memo blocks read, and its fill (see slots.ts). */\n` +
    `export const templates: Record<TemplateName, CompiledTemplate> = {\n${entries.join('')}};\n`
  );
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

async function main() {
  const names = readdirSync(templatesDir)
    .filter((f) => f.endsWith('.mjml'))
    .map((f) => f.slice(0, -5))
    .sort();
  const hash = createHash('sha256');
  for (const f of [
    ...listFiles(templatesDir),
    fileURLToPath(import.meta.url),
    join(root, 'src/render/slots.ts'),
  ]) {
    hash.update(relative(root, f));
    hash.update(readFileSync(f));
  }
  const digest = hash.digest('hex').slice(0, 16);
  if (
    !process.argv.includes('--force') &&
    existsSync(outFile) &&
    readFileSync(outFile, 'utf8').includes(`hash: ${digest}`)
  )
    return;

  const fills: Record<string, GeneratedFill> = {};
  for (const name of names) {
    try {
      const html = collapseWhitespace(await compileMjml(name));
      fills[name] = generateFill(mergeOutlookSeams(compileSlots(html)));
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(outFile, templatesModule(fills, digest));
  console.error(
    `build-templates: compiled ${names.length} template(s) into src/render/compiled/templates.ts`,
  );
}

// Run when executed (npm run build:templates), not when imported by tests and the bench.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
