import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { sentenceVectors } from '../db/schema.ts';
import type { VectorStore } from '../semantic/service.ts';
import { chunks, MAX_PARAMS } from './chunks.ts';

/** Stored sentence vectors among `keys` (content keys, see src/semantic/), by key. */
export async function getSentenceVectors(db: Db, keys: readonly string[]): Promise<Map<string, Int8Array>> {
  const out = new Map<string, Int8Array>();
  for (const part of chunks([...new Set(keys)], MAX_PARAMS)) {
    const rows = await db
      .select({ key: sentenceVectors.key, vector: sentenceVectors.vector })
      .from(sentenceVectors)
      .where(inArray(sentenceVectors.key, part))
      .all();
    for (const r of rows) out.set(r.key, toInt8(r.vector));
  }
  return out;
}

/** Stores vectors by key; a key already stored keeps its vector (the same content, the same encoder). */
export async function putSentenceVectors(db: Db, entries: ReadonlyMap<string, Int8Array>): Promise<void> {
  // Two parameters per row (createdAt is the column default).
  const rows = [...entries].map(([key, v]) => ({
    key,
    vector: Buffer.from(v.buffer, v.byteOffset, v.length),
  }));
  for (const part of chunks(rows, Math.floor(MAX_PARAMS / 2)))
    await db.insert(sentenceVectors).values(part).onConflictDoNothing().run();
}

/** Blob bytes from libsql (Buffer / ArrayBuffer / Uint8Array) as int8, without copying. */
function toInt8(v: unknown): Int8Array {
  if (v instanceof ArrayBuffer) return new Int8Array(v);
  if (ArrayBuffer.isView(v)) return new Int8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new Error('sentence_vectors: vector column is not a blob');
}

/** The database as the sentence service's vector store (src/semantic/service.ts). */
export function dbVectorStore(db: Db): VectorStore {
  return { get: (keys) => getSentenceVectors(db, keys), put: (entries) => putSentenceVectors(db, entries) };
}
