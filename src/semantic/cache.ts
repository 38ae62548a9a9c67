/**
 * The offline CLI's vector store (service.ts: VectorStore): sentence vectors by content key in a
 * file, so `sift rank` encodes a batch of items once, not on every run. The product keeps them
 * in its database instead (src/store/sentence-vectors.ts).
 */
import { appendFile, mkdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../security/encoding.ts';
import type { VectorEncoder, VectorStore } from './service.ts';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-f]{64}$/;

/**
 * A cache in one binary file per model under `dir` (`vectors-<first 16 hex of sha256(model)>.bin`):
 * records of a 32-byte key digest then `dims` int8s, read into memory on first use and appended
 * on `put`. A partial last record (an interrupted or failed write) is cut off before the next
 * append and ignored on load, so the file stays aligned. Meant for one process at a time (the
 * offline CLI): that cut would also drop records another process appended meanwhile.
 */
export function createFileVectorCache(
  dir: string,
  encoder: Pick<VectorEncoder, 'model' | 'dims'>,
): VectorStore {
  const { dims } = encoder;
  const record = KEY_BYTES + dims;
  let file = '';
  // Bytes of whole records in the file: anything past this is a write that stopped halfway.
  let size = 0;
  let vectors: Promise<Map<string, Int8Array>> | undefined;
  // Appends one after another, so two puts never interleave their records.
  let writing: Promise<unknown> = Promise.resolve();

  const load = async () => {
    await mkdir(dir, { recursive: true });
    file = join(dir, `vectors-${(await sha256Hex(encoder.model)).slice(0, 16)}.bin`);
    const map = new Map<string, Int8Array>();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return map;
      throw e;
    }
    const whole = bytes.length - (bytes.length % record);
    if (whole < bytes.length) await truncate(file, whole);
    size = whole;
    for (let at = 0; at < whole; at += record)
      map.set(
        bytes.toString('hex', at, at + KEY_BYTES),
        new Int8Array(bytes.buffer, bytes.byteOffset + at + KEY_BYTES, dims),
      );
    return map;
  };

  return {
    async get(keys) {
      vectors ??= load();
      const map = await vectors;
      const out = new Map<string, Int8Array>();
      for (const k of keys) {
        const v = map.get(k);
        if (v) out.set(k, v);
      }
      return out;
    },
    async put(entries) {
      vectors ??= load();
      const map = await vectors;
      const fresh = [...entries].filter(([k]) => !map.has(k));
      for (const [k, v] of fresh) {
        if (!HEX_KEY.test(k)) throw new Error(`semantic: cache key must be 64 hex digits, got '${k}'`);
        if (v.length !== dims) throw new Error(`semantic: cache expects ${dims} dimensions, got ${v.length}`);
      }
      if (fresh.length === 0) return;
      const buf = Buffer.alloc(fresh.length * record);
      for (const [n, [k, v]] of fresh.entries()) {
        buf.write(k, n * record, 'hex');
        buf.set(new Uint8Array(v.buffer, v.byteOffset, dims), n * record + KEY_BYTES);
      }
      const write = writing.then(async () => {
        const now = await stat(file).catch(() => null);
        if (now && now.size > size) await truncate(file, size);
        await appendFile(file, buf);
        size += buf.length;
      });
      writing = write.catch(() => undefined);
      await write;
      for (const [k, v] of fresh) map.set(k, v);
    },
  };
}
