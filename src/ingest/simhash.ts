// SimHash (Charikar 2002) over word shingles: near-duplicate texts get fingerprints a few bits
// apart. Used to put syndicated copies of one story (same wire text, small edits) in one cluster.

/** 64-bit fingerprint as two unsigned 32-bit halves (plain numbers: fast, and JSON/SQL friendly). */
export interface Fingerprint {
  hi: number;
  lo: number;
}

const STOP = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(
    ' ',
  ),
);

/** Lower-case word tokens (letters and digits of any script), stop words removed. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => !STOP.has(w));
}

/** FNV-1a, 32-bit, with a seed so two independent halves can be drawn. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** SimHash of a text over word bigrams (and words, so short titles still carry weight). */
export function simhash(text: string): Fingerprint | null {
  const w = words(text);
  if (w.length < 3) return null;
  const features = [...w];
  for (let i = 0; i + 1 < w.length; i++) features.push(`${w[i]} ${w[i + 1]}`);
  const v = new Int32Array(64);
  for (const f of features) {
    const hi = fnv1a(f);
    const lo = fnv1a(f, 0x9747b28c);
    for (let b = 0; b < 32; b++) {
      v[b]! += (hi >>> b) & 1 ? 1 : -1;
      v[32 + b]! += (lo >>> b) & 1 ? 1 : -1;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (v[b]! > 0) hi |= 1 << b;
    if (v[32 + b]! > 0) lo |= 1 << b;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of differing bits. */
export function hamming(a: Fingerprint, b: Fingerprint): number {
  return popcount((a.hi ^ b.hi) >>> 0) + popcount((a.lo ^ b.lo) >>> 0);
}

/** 16 hex digits. */
export function toHex(f: Fingerprint): string {
  return f.hi.toString(16).padStart(8, '0') + f.lo.toString(16).padStart(8, '0');
}

/** Inverse of toHex; null for anything else. */
export function fromHex(s: string | null | undefined): Fingerprint | null {
  if (!s || !/^[0-9a-f]{16}$/.test(s)) return null;
  return { hi: Number.parseInt(s.slice(0, 8), 16), lo: Number.parseInt(s.slice(8), 16) };
}

/** The four 16-bit bands: two fingerprints within 3 bits share at least one band exactly. */
export function bands(f: Fingerprint): string[] {
  return [`0${f.hi >>> 16}`, `1${f.hi & 0xffff}`, `2${f.lo >>> 16}`, `3${f.lo & 0xffff}`];
}
