import { describe, expect, it } from 'vitest';
import { decodeEmbeddings, type EmbeddingTable, encodeEmbeddings } from '../../src/rank/embeddings.ts';
import { embeddings } from './helpers.ts';

describe('embedding table', () => {
  it('round-trips through the binary format', () => {
    const table: EmbeddingTable = {
      words: ['hockey', 'nhl', 'café'],
      dims: 3,
      vectors: Int8Array.from([127, 0, 0, 90, 90, 0, 0, 0, 127]),
      k: 2,
      neighbours: Uint16Array.from([1, 2, 0, 2, 0, 1]),
      neighbourSims: Int8Array.from([90, 0, 90, 0, 0, 0]),
    };
    const back = decodeEmbeddings(encodeEmbeddings(table));
    expect(back.words).toEqual(table.words);
    expect([...back.vectors]).toEqual([...table.vectors]);
    expect([...back.neighbours]).toEqual([...table.neighbours]);
    expect([...back.neighbourSims]).toEqual([...table.neighbourSims]);
  });

  it('rejects bytes that are not a table', () => {
    expect(() => decodeEmbeddings(new TextEncoder().encode('not a table at all, no'))).toThrow(/format/);
  });

  it('the shipped table is small and knows that NHL is near hockey', () => {
    const t = embeddings();
    expect(t.words.length).toBeGreaterThanOrEqual(20_000);
    const hockey = t.words.indexOf('hockey');
    const near = [...t.neighbours.subarray(hockey * t.k, (hockey + 1) * t.k)].map((r) => t.words[r]);
    expect(near).toContain('nhl');
  });
});
