/**
 * The batch's sentence vectors (from an encoder outside the ranker, see types.ts:
 * SentenceVectors) packed into one int8 matrix, centred partway to their mean (CENTRE_SHARE),
 * with the nearest-items search an interest needs when its words run out. Same shape as
 * dense.ts: an exact scan for small batches, a coarse inverted file (items grouped under evenly
 * spaced seed items) for large ones.
 */
import { TopK } from './diversify.ts';
import type { SentenceVectors } from './types.ts';

/** Below this many encoded items an exact scan is cheap enough. */
const EXACT_MAX = 3000;
/**
 * Groups scanned per query, of √n groups: ~√n + 6·√n dot products instead of n. More groups
 * than dense.ts uses, because here every interest whose words run out searches (thousands per
 * batch), so the per-query scan outweighs grouping the items once.
 */
export const PROBES = 6;
/**
 * Dimensions that place an item in its group and shortlist it for a query (groupsOf,
 * nearestBySentence); the encoder's dimensions are in no particular order, so any 128 will do.
 */
const ASSIGN_DIMS = 128;
/** Shortlisted items per wanted neighbour, scored in full (see nearestBySentence). */
const SHORTLIST = 2;
/** Quantisation: vectors are unit length × 127, so a dot product ÷ 127² is the cosine. */
const SCALE2 = 127 * 127;
/**
 * Share of the batch's mean vector taken out of every item and interest vector before cosines
 * are measured. An encoder's vectors share a large common part (news-ness: the mean of a news
 * batch's unit vectors has length ≈ 0.5, and two unrelated news sets' means point the same way,
 * cosine 0.86), which makes every item look somewhat close to every interest; measured from
 * partway to the mean, a cosine says more about what an item is about. Chosen over 0 / 0.25 /
 * 0.5 / 1 with the sentence thresholds moved to the same percentiles of unrelated items'
 * cosines (interest.ts: sentenceThresholds); see src/rank/README.md ("Centring").
 */
const CENTRE_SHARE = 0.5;
/**
 * Items before the batch's mean is trusted: the share applied is CENTRE_SHARE × n / (n + this),
 * since the mean of a few items says more about those items than about the news (one item's
 * mean is itself), and centring a small batch on it would push its own items away from the
 * interests they are about.
 */
const CENTRE_PRIOR = 100;
// Scratch heaps for nearestBySentence (synchronous; each call copies its result out with
// columns()): thousands of interests search per batch.
const NEAREST = new TopK(0);
const PROBE = new TopK(0);
const SHORT = new TopK(0);

export interface SentenceSpace {
  dims: number;
  /** Row d belongs to item d; all zeros where the item was not encoded. */
  vectors: Int8Array;
  /** Items that have a vector, ascending, and the same as a mark per item (1: has one). */
  encoded: Int32Array;
  present: Uint8Array;
  /** Interest vector by its sentence text (from the caller, centred like the items). */
  interest(text: string): Int8Array | undefined;
  /** Share of the batch's mean taken out of every vector (0: none; see CENTRE_SHARE). */
  centring: number;
  /**
   * The batch's mean unit vector and each item's distance from it (typicality measures from
   * there, see centredOf), built on first use.
   */
  centred?: { mean: Float64Array; norms: Float64Array };
  /**
   * The coarse index, built on first search of a large batch: group j's items are
   * `ids[starts[j] .. starts[j + 1])`, with their first ASSIGN_DIMS dimensions packed in the same
   * order in `heads` (a search reads a group's rows in one sweep, not 512-byte strides apart),
   * and its seed's in `centroids`.
   */
  groups?: { centroids: Int8Array; starts: Int32Array; ids: Int32Array; heads: Int8Array } | null;
}

/**
 * Packs the caller's vectors, centred partway to their mean unless `centre` is false; null when
 * none of the items has one (nothing to gain).
 */
export function sentenceSpace(
  n: number,
  input: SentenceVectors | undefined,
  centre: boolean,
): SentenceSpace | null {
  if (!input || !(input.dims > 0)) return null;
  const dims = input.dims;
  const vectors = new Int8Array(n * dims);
  const encoded: number[] = [];
  const present = new Uint8Array(n);
  for (let d = 0; d < n; d++) {
    const v = input.items[d];
    if (!v || v.length !== dims) continue;
    vectors.set(v, d * dims);
    encoded.push(d);
    present[d] = 1;
  }
  if (encoded.length === 0) return null;
  const centring = centre ? (CENTRE_SHARE * encoded.length) / (encoded.length + CENTRE_PRIOR) : 0;
  // The lookup alone, not `input`: the caller's per-item vectors are copied above, and holding
  // them here would keep thousands of small buffers alive as long as the ranker.
  const lookup = input.interest;
  let interest = lookup;
  if (centring > 0) {
    // In the rows' ×127 units, like the vectors it is taken from.
    const shift = meanRow(vectors, encoded, dims);
    for (let j = 0; j < dims; j++) shift[j]! *= 127 * centring;
    for (const d of encoded) shifted(vectors.subarray(d * dims, (d + 1) * dims), shift);
    interest = (text) => {
      const v = lookup(text);
      return v && v.length === dims ? shifted(v.slice(), shift) : v;
    };
  }
  return { dims, vectors, encoded: Int32Array.from(encoded), present, interest, centring };
}

/** v − shift (both ×127), back to unit length ×127, in place. */
function shifted(v: Int8Array, shift: Float64Array): Int8Array {
  let norm = 0;
  for (let j = 0; j < v.length; j++) {
    const x = v[j]! - shift[j]!;
    norm += x * x;
  }
  const scale = norm > 0 ? 127 / Math.sqrt(norm) : 0;
  for (let j = 0; j < v.length; j++) v[j] = Math.round((v[j]! - shift[j]!) * scale);
  return v;
}

/** Cosine between a query vector and item d. */
export function sentenceCosine(space: SentenceSpace, q: Int8Array, d: number): number {
  return dotRow(q, space.vectors, d * space.dims) / SCALE2;
}

function dotRow(q: Int8Array, m: Int8Array, offset: number): number {
  // Four running sums: ~1.6× faster than one in V8 (measured, 512-d), and every interest of a
  // batch re-scores its list with these.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = q.length - (q.length % 4);
  let i = 0;
  for (; i < n; i += 4) {
    s0 += q[i]! * m[offset + i]!;
    s1 += q[i + 1]! * m[offset + i + 1]!;
    s2 += q[i + 2]! * m[offset + i + 2]!;
    s3 += q[i + 3]! * m[offset + i + 3]!;
  }
  for (; i < q.length; i++) s0 += q[i]! * m[offset + i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The `k` encoded items nearest to q, best first, as cosines (approximate for large batches,
 * where `probes` groups are scanned).
 */
export function nearestBySentence(
  space: SentenceSpace,
  q: Int8Array,
  k: number,
  probes = PROBES,
): { docs: number[]; scores: number[] } {
  const top = NEAREST.reset(k);
  const { vectors, dims } = space;
  const scan = (d: number) => top.push(d, dotRow(q, vectors, d * dims) / SCALE2);
  const groups = groupsOf(space);
  if (!groups) for (const d of space.encoded) scan(d);
  else {
    // Groups and a shortlist by the first ASSIGN_DIMS dimensions (as the items were grouped),
    // then the best SHORTLIST × k in full: about half the work of scoring every probed item.
    const { centroids, starts, ids, heads } = groups;
    const pd = Math.min(dims, ASSIGN_DIMS);
    const part = q.subarray(0, pd);
    const probe = PROBE.reset(probes);
    for (let j = 0; j + 1 < starts.length; j++) probe.push(j, dotRow(part, centroids, j * pd));
    const short = SHORT.reset(SHORTLIST * k);
    for (let g = 0; g < probe.size; g++) {
      const j = probe.docs[g]!;
      for (let r = starts[j]!; r < starts[j + 1]!; r++) {
        const s = dotRow(part, heads, r * pd);
        if (short.admits(s)) short.push(ids[r]!, s);
      }
    }
    for (let i = 0; i < short.size; i++) scan(short.docs[i]!);
  }
  return top.columns();
}

function groupsOf(space: SentenceSpace): SentenceSpace['groups'] {
  if (space.groups !== undefined) return space.groups;
  const { encoded, vectors, dims } = space;
  if (encoded.length <= EXACT_MAX) return (space.groups = null);
  const c = Math.ceil(Math.sqrt(encoded.length));
  const step = encoded.length / c;
  const part = Math.min(dims, ASSIGN_DIMS);
  // Only the seeds' first ASSIGN_DIMS dimensions are ever read.
  const centroids = new Int8Array(c * part);
  for (let j = 0; j < c; j++) {
    const d = encoded[Math.floor(j * step)]!;
    centroids.set(vectors.subarray(d * dims, d * dims + part), j * part);
  }
  const members: number[][] = Array.from({ length: c }, () => []);
  // Each item joins the group whose seed is nearest over the first ASSIGN_DIMS dimensions: a
  // quarter of the work of full products (n·√n of them), and grouping only has to be roughly
  // right, since queries probe several groups and score what they scan in full.
  for (const d of encoded) {
    let bestJ = 0;
    let bestS = -Infinity;
    const row = vectors.subarray(d * dims, d * dims + part);
    for (let j = 0; j < c; j++) {
      const s = dotRow(row, centroids, j * part);
      if (s > bestS) [bestS, bestJ] = [s, j];
    }
    members[bestJ]!.push(d);
  }
  const starts = new Int32Array(c + 1);
  const ids = new Int32Array(encoded.length);
  const heads = new Int8Array(encoded.length * part);
  let r = 0;
  for (let j = 0; j < c; j++) {
    starts[j] = r;
    for (const d of members[j]!) {
      ids[r] = d;
      heads.set(vectors.subarray(d * dims, d * dims + part), r * part);
      r++;
    }
  }
  starts[c] = r;
  return (space.groups = { centroids, starts, ids, heads });
}

/**
 * The batch's mean vector (of the unit vectors, not ×127) and |item − mean| per item: what every
 * item has in common (news-ness, the batch's dominant subject) is taken out before typicality is
 * measured, so an item close to everything is not typical of every interest.
 */
export function centredOf(space: SentenceSpace): { mean: Float64Array; norms: Float64Array } {
  if (space.centred) return space.centred;
  const { dims, vectors, encoded } = space;
  const mean = meanRow(vectors, encoded, dims);
  const norms = new Float64Array(space.present.length);
  for (const d of encoded) {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const x = vectors[d * dims + j]! / 127 - mean[j]!;
      s += x * x;
    }
    norms[d] = Math.sqrt(s) || 1;
  }
  return (space.centred = { mean, norms });
}

/** The mean of the `rows` of an int8 matrix ×127, as a unit-scale vector (÷127). */
function meanRow(vectors: Int8Array, rows: ArrayLike<number>, dims: number): Float64Array {
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r]! * dims;
    for (let j = 0; j < dims; j++) mean[j]! += vectors[base + j]!;
  }
  for (let j = 0; j < dims; j++) mean[j]! /= 127 * rows.length;
  return mean;
}
