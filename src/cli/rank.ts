/**
 * `sift rank`: ranks a JSONL file of items for one preferences file, offline (issue #4's
 * evaluation contract). No database, no network: the same ranker the editions use.
 */
import { readFileSync } from 'node:fs';
import { ZodError } from 'zod';
import { type BatchSentences, batchSentences } from '../editions/sentences.ts';
import type { Log } from '../log.ts';
import { parsePreferences } from '../preferences/schema.ts';
import { createRanker, decodeEmbeddings, type EmbeddingTable, newestPublishedAt } from '../rank/index.ts';
import type { RankItem, Topic } from '../rank/types.ts';
import { createFileVectorCache } from '../semantic/cache.ts';
import { lazySentenceEncoder, sentencesEnabled } from '../semantic/encoder.ts';
import { createSentenceService } from '../semantic/service.ts';
import { positiveInt, UsageError } from './args.ts';
import { stdio } from './context.ts';
import { progressBar } from './progress.ts';

const USAGE = `Usage: sift rank --items FILE.jsonl --prefs FILE.json [options]

Ranks candidate items for one subscriber's preferences and prints them best first.

Options:
  --items FILE       items, one JSON object per line:
                     { id, title, summary?, content?, url?, source?, author?, categories?, publishedAt? }
  --prefs FILE       preferences JSON, e.g. { "interests": ["hockey"], "mutes": ["betting"] }
  --top K            how many items to print (default 10)
  --format F         json (default): [{ "id", "score", "reasons": [..] }]; or text
  --topics FILE      topic catalogue JSON: [{ "name", "terms": [..] }]
  --now ISO|MS       clock for recency (default: newest publishedAt in the file, else now)
  --min-score X      drop items scoring below X (default 0: rank every match)
  --depth N          items kept per interest before a subscriber's interests are combined
                     (default 1000, or 10 × K if more); editions keep 50, and a deeper
                     list only goes on after those 50, so --depth 50 --top 10
                     --min-score 0.25 ranks exactly as an edition does
  --no-embeddings    ablation switches, each turning one technique off: the word-embedding
  --no-cooccurrence  table, co-occurrence expansion, semantic re-scoring, filling an
  --no-dense         interest's list by meaning, item-graph spreading, or
  --no-dense-fill    all expansion at once; --prf turns on pseudo-relevance feedback
  --no-graph         (off by default: it did not help on the evaluation sets). The word table
                     (--no-embeddings, --no-dense) steps aside when sentence vectors
                     cover 90% of the items (and the interest has one)
  --no-expansion
  --prf
  --no-sentences     rank without sentence vectors (also off with --no-expansion or
                     SIFT_SENTENCES=off). With them, the first run encodes every item
                     (~50 ms each); vectors are cached in SIFT_CACHE_DIR (default ./data/cache)
  --no-typical       keep each interest's best matches in score order instead of ordering
                     them mostly by how typical each is of them (needs sentence vectors)
  --no-centring      measure sentence cosines as encoded, not from partway to the batch's
                     mean vector (needs sentence vectors)
  -h, --help         this help

Exit codes: 0 success, 1 unreadable or invalid input, 2 usage error.
`;

class InputError extends Error {}

const FLAGS = new Set([
  '--prf',
  '--no-embeddings',
  '--no-cooccurrence',
  '--no-dense',
  '--no-dense-fill',
  '--no-graph',
  '--no-expansion',
  '--no-sentences',
  '--no-typical',
  '--no-centring',
]);
const VALUED = new Set([
  '--items',
  '--prefs',
  '--top',
  '--format',
  '--topics',
  '--now',
  '--min-score',
  '--depth',
]);

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    if (FLAGS.has(name)) out.set(name, 'true');
    else if (VALUED.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      out.set(name, v);
    } else throw new UsageError(`unknown option '${a}'`);
  }
  return out;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `cannot read ${what} file '${path}'${code === 'ENOENT' ? ': no such file' : `: ${String(e)}`}`,
    );
  }
}

function parseDate(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim()) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parses items JSONL into RankItems; names the line of the first bad record. */
export function parseItems(text: string, path = 'items'): RankItem[] {
  const items: RankItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new InputError(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (!o || typeof o !== 'object' || (typeof o.id !== 'string' && typeof o.id !== 'number'))
      throw new InputError(`${path}:${i + 1}: each item needs an "id"`);
    items.push({
      id: String(o.id),
      title: str(o.title) ?? '',
      summary: str(o.summary),
      content: str(o.content),
      url: str(o.url),
      source: str(o.source),
      sourceUrl: str(o.sourceUrl),
      author: str(o.author),
      categories: Array.isArray(o.categories)
        ? o.categories.filter((c): c is string => typeof c === 'string')
        : undefined,
      publishedAt: parseDate(o.publishedAt),
      clusterId: str(o.clusterId),
    });
  }
  return items;
}

/** Loads the shipped embedding table, or null (with a warning) if it is missing. */
function loadEmbeddings(): EmbeddingTable | null {
  try {
    return decodeEmbeddings(readFileSync(new URL('../rank/data/embeddings.bin', import.meta.url)));
  } catch (e) {
    process.stderr.write(
      `sift rank: warning: no embedding table (${(e as Error).message}); ranking without it\n`,
    );
    return null;
  }
}

/** Warnings of the sentence encoder, in this command's style. */
const warnings: Log = {
  debug() {},
  info() {},
  warn: (msg, fields) =>
    void process.stderr.write(`sift rank: warning: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  error: (msg, fields) =>
    void process.stderr.write(`sift rank: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
};

/**
 * Sentence vectors through the file cache (encoding only what it lacks), the same way the
 * planner gets them (batchSentences), except that every missing item is encoded now and a
 * failure to encode leaves the run without any. Undefined, with a warning, when the encoder or
 * the cache is unavailable: ranking then works without them.
 */
async function loadSentences(items: readonly RankItem[]): Promise<BatchSentences | undefined> {
  // Lazy: the model loads only if the cache lacks a text (a cached run skips ~0.4 s and ~200 MB).
  const encoder = lazySentenceEncoder(warnings);
  if (!encoder) return undefined;
  const service = createSentenceService(
    encoder,
    createFileVectorCache(process.env.SIFT_CACHE_DIR || './data/cache', encoder),
    warnings,
  );
  const bar = progressBar(stdio, 'sift rank: encoding');
  try {
    return await batchSentences({ sentences: { items: service, interests: service }, log: warnings }, items, {
      encodeItems: Number.POSITIVE_INFINITY,
      onProgress: bar.update,
      storedOnFailure: false,
    });
  } finally {
    bar.finish();
  }
}

/** Runs `sift rank` with the given arguments; returns the exit code. */
export async function runRank(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const args = parseArgs(argv);
    const itemsPath = args.get('--items');
    const prefsPath = args.get('--prefs');
    if (!itemsPath || !prefsPath) throw new UsageError('--items and --prefs are required');
    const top = args.has('--top') ? positiveInt(args.get('--top'), '--top') : 10;
    const format = args.get('--format') ?? 'json';
    if (format !== 'json' && format !== 'text') throw new UsageError("--format must be 'json' or 'text'");
    const minScore = Number(args.get('--min-score') ?? 0);
    if (!Number.isFinite(minScore)) throw new UsageError('--min-score must be a number');
    const depth = args.has('--depth')
      ? positiveInt(args.get('--depth'), '--depth')
      : Math.max(1000, top * 10);

    const items = parseItems(readText(itemsPath, 'items'), itemsPath);
    let prefsJson: unknown;
    try {
      prefsJson = JSON.parse(readText(prefsPath, 'prefs'));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${prefsPath}: not valid JSON (${(e as Error).message})`);
    }
    const prefs = parsePreferences(prefsJson);
    let topics: Topic[] | undefined;
    const topicsPath = args.get('--topics');
    if (topicsPath) {
      try {
        topics = JSON.parse(readText(topicsPath, 'topics'));
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError(`${topicsPath}: not valid JSON`);
      }
      if (!Array.isArray(topics)) throw new InputError(`${topicsPath}: expected an array of { name, terms }`);
    }
    const nowArg = args.get('--now');
    const now = nowArg ? parseDate(/^\d+$/.test(nowArg) ? Number(nowArg) : nowArg) : newestPublishedAt(items);
    if (nowArg && now === undefined) throw new UsageError('--now must be an ISO date or epoch milliseconds');

    const noExp = args.has('--no-expansion');
    const embeddings = args.has('--no-embeddings') || noExp ? null : loadEmbeddings();
    let useSentences: boolean;
    try {
      useSentences = !noExp && !args.has('--no-sentences') && sentencesEnabled(process.env.SIFT_SENTENCES);
    } catch {
      throw new UsageError(`SIFT_SENTENCES must be 'on' or 'off', got '${process.env.SIFT_SENTENCES}'`);
    }
    const sentences = useSentences ? await loadSentences(items) : undefined;
    const ranker = createRanker(items, {
      topics,
      embeddings: embeddings ?? undefined,
      sentences: sentences?.vectors,
      depth,
      expansion: {
        prf: !noExp && args.has('--prf'),
        cooccurrence: !noExp && !args.has('--no-cooccurrence'),
        embeddings: !noExp && !args.has('--no-embeddings'),
        dense: !noExp && !args.has('--no-dense'),
        denseFill: !noExp && !args.has('--no-dense-fill'),
        typical: !args.has('--no-typical'),
        centre: !args.has('--no-centring'),
        ...(noExp || args.has('--no-graph') ? { spread: 0 } : {}),
      },
    });
    await sentences?.prepare(ranker.sentenceTexts(prefs));
    const picks = ranker.rank(prefs, { now, limit: top, minScore });
    if (format === 'json') process.stdout.write(`${JSON.stringify(picks)}\n`);
    else
      for (const [i, p] of picks.entries())
        process.stdout.write(
          `${String(i + 1).padStart(3)}. ${p.id}  ${p.score.toFixed(3)}  ${p.reasons.join('; ')}\n`,
        );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sift rank: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`sift rank: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ZodError) {
      const issues = e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      process.stderr.write(`sift rank: invalid preferences: ${issues}\n`);
      return 1;
    }
    throw e;
  }
}
