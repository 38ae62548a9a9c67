import { loadSentenceEncoder, type SentenceEncoder } from '../../src/semantic/encoder.ts';

/** The real sentence encoder; a test that needs it fails (never skips) when it cannot load. */
export async function requireSentenceEncoder(): Promise<SentenceEncoder> {
  const encoder = await loadSentenceEncoder();
  if (!encoder) throw new Error('the sentence encoder must load for these tests (is SIFT_SENTENCES=off?)');
  return encoder;
}
