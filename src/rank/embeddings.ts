/**
 * The compact word-embedding table: format, codec and lookups. Pure (no node: imports) so a
 * Worker can decode the same bytes it bundles as a Data module.
 *
 * Format (little-endian): "SIFTEMB2", u32 word count, u32 dims, u32 byte length of the word
 * list, u32 neighbours per word (k); the words as UTF-8 joined by "\n", zero padding to a
 * multiple of 4; one int8 vector per word (L2-normalised × 127); padding to 2; then per word
 * its k nearest other words as u16 rows, then their cosines as int8 (× 127).
 * Neighbours are precomputed at build time because finding them at run time means a scan of
 * the whole vocabulary per interest, which 100k subscribers cannot afford.
 */

/** A decoded embedding table: vectors[i*dims .. (i+1)*dims) belongs to words[i]. */
export interface EmbeddingTable {
  words: string[];
  dims: number;
  /** Unit vectors quantised ×127, so dot(a, b) / 127² ≈ cosine. */
  vectors: Int8Array;
  /** Neighbours per word (0 when the table has none). */
  k: number;
  /** neighbours[i*k .. (i+1)*k): rows of word i's nearest words, best first. */
  neighbours: Uint16Array;
  /** Their cosines × 127. */
  neighbourSims: Int8Array;
}

const MAGIC = 'SIFTEMB2';
const HEADER = 24;
const SCALE2 = 127 * 127;
const pad = (x: number, to: number) => (to - (x % to)) % to;

/** Serialises a table to the binary format above. */
export function encodeEmbeddings(table: EmbeddingTable): Uint8Array {
  const wordBytes = new TextEncoder().encode(table.words.join('\n'));
  const count = table.words.length;
  const vecStart = HEADER + wordBytes.length + pad(HEADER + wordBytes.length, 4);
  const nbrStart = vecStart + count * table.dims + pad(vecStart + count * table.dims, 2);
  const simStart = nbrStart + count * table.k * 2;
  const out = new Uint8Array(simStart + count * table.k);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, count, true);
  view.setUint32(12, table.dims, true);
  view.setUint32(16, wordBytes.length, true);
  view.setUint32(20, table.k, true);
  out.set(wordBytes, HEADER);
  out.set(new Uint8Array(table.vectors.buffer, table.vectors.byteOffset, table.vectors.length), vecStart);
  for (let i = 0; i < count * table.k; i++) view.setUint16(nbrStart + 2 * i, table.neighbours[i]!, true);
  out.set(
    new Uint8Array(table.neighbourSims.buffer, table.neighbourSims.byteOffset, count * table.k),
    simStart,
  );
  return out;
}

/** Decodes the binary format (an ArrayBuffer from a Worker Data module, or file bytes in Node). */
export function decodeEmbeddings(data: ArrayBuffer | Uint8Array): EmbeddingTable {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < HEADER || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new Error('rank: embedding table has the wrong format (expected SIFTEMB2)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const dims = view.getUint32(12, true);
  const wordLen = view.getUint32(16, true);
  const k = view.getUint32(20, true);
  const words = count ? new TextDecoder().decode(bytes.subarray(HEADER, HEADER + wordLen)).split('\n') : [];
  const vecStart = HEADER + wordLen + pad(HEADER + wordLen, 4);
  const nbrStart = vecStart + count * dims + pad(vecStart + count * dims, 2);
  const simStart = nbrStart + count * k * 2;
  if (words.length !== count || simStart + count * k > bytes.length)
    throw new Error('rank: embedding table is truncated');
  const vectors = new Int8Array(bytes.buffer, bytes.byteOffset + vecStart, count * dims);
  // Copy the u16s: the file's offset may not be 2-aligned within a shared ArrayBuffer.
  const neighbours = new Uint16Array(count * k);
  for (let i = 0; i < count * k; i++) neighbours[i] = view.getUint16(nbrStart + 2 * i, true);
  const neighbourSims = new Int8Array(bytes.buffer, bytes.byteOffset + simStart, count * k);
  return { words, dims, vectors, k, neighbours, neighbourSims };
}

/** Word → row lookup plus float helpers over a table; built once per process. */
export class Embeddings {
  readonly dims: number;
  private readonly rows: Map<string, number>;
  constructor(readonly table: EmbeddingTable) {
    this.dims = table.dims;
    this.rows = new Map(table.words.map((w, i) => [w, i]));
  }
  /** Row of a word, or -1 when the table does not know it. */
  row(word: string): number {
    return this.rows.get(word) ?? -1;
  }
  /** Cosine of two known rows (≈, from the int8 quantisation). */
  cosineRows(a: number, b: number): number {
    const v = this.table.vectors;
    const d = this.dims;
    let s = 0;
    for (let i = 0, pa = a * d, pb = b * d; i < d; i++) s += v[pa + i]! * v[pb + i]!;
    return s / SCALE2;
  }
  /** Adds weight × the unit vector of a row into acc (a float vector of length dims). */
  addRow(acc: Float32Array, row: number, weight: number): void {
    const v = this.table.vectors;
    const base = row * this.dims;
    const w = weight / 127;
    for (let i = 0; i < this.dims; i++) acc[i]! += v[base + i]! * w;
  }
}

/** Scales a float vector to unit length in place (a zero vector stays zero); returns it. */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  if (n > 0) {
    const inv = 1 / Math.sqrt(n);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/** Dot product of a with b[offsetB .. offsetB + a.length) (e.g. one row of a packed matrix). */
export function dot(a: Float32Array, b: Float32Array, offsetB = 0): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[offsetB + i]!;
  return s;
}
