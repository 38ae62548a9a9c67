/**
 * Sentence vectors by content: a store lookup first, the encoder only for what is missing.
 * Runtime-free: the encoder and the stores are passed in (Node builds them in
 * src/entry/node-deps.ts; Workers have no encoder and rank without sentence vectors).
 */
import type { Log } from '../log.ts';
import { sha256Hex } from '../security/encoding.ts';

/** What the service needs from an encoder (src/semantic/encoder.ts implements it on Node). */
export interface VectorEncoder {
  /** Stable id of the model: part of every cache key, so a new model never reads old vectors. */
  readonly model: string;
  readonly dims: number;
  /** Unit vectors ×127 as int8, one per text, in order; `onProgress` after each batch. */
  encode(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Int8Array[]>;
}

/** Where vectors are kept by content key (the database in the product, a file for the CLI). */
export interface VectorStore {
  get(keys: readonly string[]): Promise<Map<string, Int8Array>>;
  put(entries: ReadonlyMap<string, Int8Array>): Promise<void>;
}

export interface SentenceService {
  readonly dims: number;
  /**
   * The vectors of `texts`, in order. Missing ones are encoded and stored, at most `encode` of
   * them (default: all); the rest come back undefined (ranked without a sentence vector). Texts
   * another call is encoding are waited for, except with `encode: 0` (stored vectors only). When
   * encoding fails this throws, or with `storedOnFailure` logs and returns what the store had.
   */
  vectors(
    texts: readonly string[],
    options?: {
      encode?: number;
      onProgress?: (done: number, total: number) => void;
      storedOnFailure?: boolean;
    },
  ): Promise<(Int8Array | undefined)[]>;
}

/** The content key of a text for one model. */
export function sentenceKey(model: string, text: string): Promise<string> {
  return sha256Hex(`${model}\n${text}`);
}

/**
 * `log` hears about a store that cannot be written: the vectors just encoded are still returned
 * (minutes of encoding are not thrown away for a full disk or a busy database).
 */
export function createSentenceService(
  encoder: VectorEncoder,
  store: VectorStore,
  log?: Pick<Log, 'warn'>,
): SentenceService {
  // Encodes in progress by key: ingest and a planning run can meet the same new item at once.
  const inFlight = new Map<string, Promise<Int8Array | undefined>>();
  return {
    dims: encoder.dims,
    async vectors(texts, options = {}) {
      // All at once: one digest after another cost ~0.5 s per 10,000 texts (a planning run, a
      // preview's pool), concurrently ~0.15 s.
      const distinct = [...new Set(texts)];
      const keys = await Promise.all(distinct.map((t) => sentenceKey(encoder.model, t)));
      const keyOf = new Map(distinct.map((t, i) => [t, keys[i]!]));
      const found = await store.get([...keyOf.values()]);
      const waiting: Promise<void>[] = [];
      const missing: [string, string][] = [];
      // A caller that may encode nothing (a page view, a dry run) does not wait for another
      // caller's encode either: that can be a whole new source's items, seconds of work.
      const wait = options.encode !== 0;
      for (const [t, k] of keyOf) {
        if (found.has(k)) continue;
        const pending = wait ? inFlight.get(k) : undefined;
        if (pending)
          waiting.push(
            pending.then((v) => {
              if (v) found.set(k, v);
            }),
          );
        else missing.push([t, k]);
      }
      const mine = missing.slice(0, options.encode ?? Number.POSITIVE_INFINITY);
      if (mine.length > 0) {
        const job = encoder.encode(
          mine.map(([t]) => t),
          options.onProgress,
        );
        mine.forEach(([, k], i) => {
          inFlight.set(
            k,
            job.then(
              (vs) => vs[i],
              () => undefined,
            ),
          );
        });
        try {
          const encoded = await job.catch((e) => {
            if (!options.storedOnFailure) throw e;
            // The stored vectors are already in hand: no second lookup to fall back on them.
            log?.warn('semantic: cannot encode now, using stored vectors only', { error: String(e) });
            return null;
          });
          if (encoded) {
            const fresh = new Map(mine.map(([, k], i) => [k, encoded[i]!]));
            for (const [k, v] of fresh) found.set(k, v);
            try {
              await store.put(fresh);
            } catch (e) {
              log?.warn('semantic: sentence vectors encoded but not stored', { error: String(e) });
            }
          }
        } finally {
          for (const [, k] of mine) inFlight.delete(k);
        }
      }
      await Promise.all(waiting);
      return texts.map((t) => found.get(keyOf.get(t)!));
    },
  };
}

/**
 * The product's two services. Items' vectors are stored in the database (public content, encoded
 * once at ingest); interests' only in memory, because an interest is something a subscriber
 * typed: nothing derived from it is written to disk, so erasing a subscriber leaves no trace of
 * it. Re-encoding after a restart costs ~2 ms per distinct interest.
 */
export interface SentenceServices {
  items: SentenceService;
  interests: SentenceService;
}

/** A store in memory that keeps the `max` most recently used vectors. */
export function memoryVectorStore(max: number): VectorStore {
  const map = new Map<string, Int8Array>();
  return {
    async get(keys) {
      const out = new Map<string, Int8Array>();
      for (const k of keys) {
        const v = map.get(k);
        if (!v) continue;
        // Re-inserted: Map order is insertion order, so the oldest entry is the least recently used.
        map.delete(k);
        map.set(k, v);
        out.set(k, v);
      }
      return out;
    },
    async put(entries) {
      for (const [k, v] of entries) {
        map.delete(k);
        map.set(k, v);
      }
      for (const k of map.keys()) {
        if (map.size <= max) break;
        map.delete(k);
      }
    },
  };
}
