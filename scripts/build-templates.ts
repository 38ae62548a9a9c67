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
export function mergeOutlookSeams(tpl: CompiledTemplate): CompiledTemplate {
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

  const compiled: Record<string, unknown> = {};
  for (const name of names) {
    try {
      compiled[name] = mergeOutlookSeams(compileSlots(collapseWhitespace(await compileMjml(name))));
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    outFile,
    `// Generated by scripts/build-templates.ts from templates/*.mjml — do not edit. hash: ${digest}\n` +
      `import type { CompiledTemplate } from '../slots.ts';\n\n` +
      `/** Names of the compiled templates. */\n` +
      `export type TemplateName = ${names.map((n) => `'${n}'`).join(' | ')};\n\n` +
      `/** Each template as literal segments, slots and blocks. */\n` +
      `export const templates: Record<TemplateName, CompiledTemplate> = ${JSON.stringify(compiled)};\n`,
  );
  console.error(
    `build-templates: compiled ${names.length} template(s) into src/render/compiled/templates.ts`,
  );
}

// Run when executed (npm run build:templates), not when imported by tests and the bench.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
