/**
 * One interest (or catalogue topic) → a sparse relevance vector over the batch, computed once
 * and shared by every subscriber who holds it. Subscribers repeat interests a lot, which is
 * what makes 100k editions per batch cheap: rank() only sums cached vectors.
 *
 * Steps: BM25F of the typed words + exact phrases → expansion (expand.ts), twice, each round
 * starting from what the previous one found → one step along the item graph (graph.ts) →
 * semantic re-scoring of the best candidates against the interest's embedding moved toward
 * its best matches (Rocchio) → when fewer items share a word than the list keeps, the nearest
 * items by meaning fill the list (dense.ts) → when the caller supplied sentence vectors, each
 * kept item gains by how close its whole text is to the interest, and items nearest by sentence
 * join the list when they can reach it (sentence-space.ts), and the best matches are ordered
 * mostly by how typical each is of them (byTypicality). The stages after the words order the
 * best EDITION_DEPTH word matches; a caller that keeps a deeper list (`depth`) gets the rest
 * after them.
 */
import type { Accumulator } from './accumulator.ts';
import { type Corpus, FIELD_WEIGHTS, idf, idfOf } from './corpus.ts';
import { denseIndexOf, nearestDocs } from './dense.ts';
import { TopK } from './diversify.ts';
import { dot, normalize } from './embeddings.ts';
import { type Expansion, type ExpansionOptions, expandInterest, type FirstPass } from './expand.ts';
import type { ItemGraph } from './graph.ts';
import { type addBm25, phraseDocs, type QueryTerm } from './lexical.ts';
import {
  centredOf,
  nearestBySentence,
  PROBES,
  type SentenceSpace,
  sentenceCosine,
} from './sentence-space.ts';
import { interestSentenceText } from './sentences.ts';
import { isContentWord, stem, tokenize } from './tokenize.ts';

/** A relevance vector for one interest: docs best first, scores ≈ 1 for a title match. */
export interface InterestVector {
  docs: Int32Array;
  scores: Float32Array;
  /** Typed words' term ids (for "matches your interest 'x'"). */
  original: ReadonlySet<number>;
  /** Added words (for "(via 'NHL')"), strongest first. */
  expansions: Expansion[];
}

/** Saturated BM25F weight of one title occurrence in an average-length doc: our unit of "a match". */
const TITLE_IMPACT = (FIELD_WEIGHTS.title * 2.2) / (1.2 + FIELD_WEIGHTS.title);
/**
 * A typed phrase is stronger evidence than its words apart ("World Series" vs an item that only
 * says "world"): each word counts this share, the whole phrase this multiple of its idf.
 * Chosen on ag-news (MAP 0.889 → 0.902), unchanged on mind-dev (0.348).
 */
const PHRASE_PART = 0.5;
const PHRASE_WEIGHT = 2;
/**
 * The depth of an interest's list in an edition (index.ts's default), and so of the head that
 * the stages after the words order: semantic re-scoring, the fill and typicality work on the
 * best this-many word matches whatever depth the caller keeps. A deeper list (`sift rank` keeps
 * 1,000 so that the eval can score 100 items) goes on past that head with the rest, ordered by
 * the same stages over the whole list. Before, those stages ran over the whole list, so a word
 * match far down it could climb into the head: how deep a caller kept lists changed what came
 * first, and `sift rank` measured a ranking editions do not make (mind-dev P@10 0.745 at depth
 * 1,000, 0.764 at 50). See src/rank/README.md, "One head at any depth".
 */
export const EDITION_DEPTH = 50;
/** Weight of the semantic similarity relative to a typed-word match. */
const DENSE_WEIGHT = 0.6;
/** Cosine at which two news texts start to look topically related (below: noise). */
const DENSE_FLOOR = 0.3;
/** How far the query vector moves toward the best matches (Rocchio β). */
const ROCCHIO = 1;
/** Matches that feed co-occurrence and spread along the graph (the tail adds noise and time). */
const MEMBERS = 100;
/** Candidates re-scored semantically beyond the kept depth, so re-ordering can pull some in. */
const RESCORED_EXTRA = 20;
/** Items the dense fill may add when an interest's words match fewer than `depth` items. */
const DENSE_FILL = 200;
/**
 * Closeness an item needs to enter by meaning alone: clearly about the same thing, not just
 * news-like (measured: 0.4–0.6 give the same eval scores; lower lets unrelated items in).
 */
const FILL_MIN_COSINE = 0.5;
/**
 * Sentence similarity (what the whole text is about): each 0.1 of cosine above the floor is worth
 * a fifth of a typed-word title match. Chosen on mind-dev and checked on ag-news (weight 1 / 2 / 4
 * × floor 0.1 / 0.2 / 0.3, interests then encoded as typed): mind-dev MAP 0.41 / 0.43 / 0.45 at
 * floor 0.1, but ag-news falls below BM25 at 4 (P@10 0.94, MAP 0.883); 2 keeps ag-news at BM25's
 * P@10 with a higher MAP.
 */
const SENTENCE_WEIGHT = 2;
/** Items the sentence fill may add to a list its words did not fill (50–200: same). */
const SENTENCE_FILL = 100;
/**
 * When the words filled the list, a fill item has to outscore its last entry: only the very
 * nearest can, so the search looks for fewer (25, what an edition reads of one interest's list
 * at least: index.ts, HEAD_MIN) in half the groups. Same eval figures as a full search (mind-dev
 * and ag-news at depth 50); 3,300 of the rank bench's 5,900 interests search this way, where it
 * costs ~0.3 s instead of ~0.5 s.
 */
const FULL_LIST_FILL = 25;
const FULL_LIST_PROBES = PROBES / 2;
/**
 * The floor of the sentence bonus and the cosine an item needs to enter by sentence alone, for
 * vectors as encoded (`RAW`) and for vectors centred halfway to the batch's mean (`HALF`,
 * sentence-space.ts: CENTRE_SHARE); a batch centred by a smaller share (a small batch) gets the
 * thresholds in between. The floor sits a little above the median cosine of an unrelated item
 * (its 60th–65th percentile), the fill's minimum at about its 98th, so that a weak day still
 * yields a short edition rather than filler (measured on mind-dev and ag-news, interests framed
 * as 'news about …', sentences.ts: unrelated items' cosines at those percentiles are 0.18 / 0.38
 * as encoded, 0.10 / 0.31 a quarter of the way to the mean, 0.035 / 0.25 halfway: linear in the
 * share).
 * Framing lifted every cosine (the unrelated median 0.10 → 0.18), so the raw thresholds were
 * 0.1 / 0.3 for interests encoded as typed.
 */
const FLOOR_RAW = 0.18;
const FLOOR_HALF = 0.035;
const FILL_MIN_RAW = 0.38;
const FILL_MIN_HALF = 0.25;
/** The share of the mean the `HALF` thresholds were measured at. */
const HALF = 0.5;

/** The sentence bonus's floor and the fill's minimum for a space centred by `centring`. */
function sentenceThresholds(centring: number): { floor: number; fillMin: number } {
  const t = centring / HALF;
  return {
    floor: FLOOR_RAW + (FLOOR_HALF - FLOOR_RAW) * t,
    fillMin: FILL_MIN_RAW + (FILL_MIN_HALF - FILL_MIN_RAW) * t,
  };
}
/**
 * Typicality: an interest's best TYPICAL_TOP matches are re-ordered by their score plus
 * TYPICAL_WEIGHT × their cosine to the weighted centroid of all of them (both measured from the
 * batch's mean vector), i.e. mostly by how typical each is of what the interest matched in this
 * batch (a cosine step of 0.05 outweighs a full title match). Chosen on mind-dev, checked on
 * ag-news (P@10 / MAP): weight 0 0.56 / 0.426 and 0.96 / 0.895; 10 0.59 / 0.443 and 1.00 /
 * 0.889; 20 0.60 / 0.443 and 1.00 / 0.889; 40 0.61 / 0.444 and 1.00 / 0.888. More in
 * src/rank/README.md ("Typicality").
 */
const TYPICAL_TOP = 50;
const TYPICAL_WEIGHT = 20;
/**
 * Each match weighs in the centroid by max(0, its sentence cosine to the interest) to this
 * power, not by its score: the centroid follows the matches that are about the interest by
 * meaning, so that when most of what the words match only mentions them (crash reports for
 * 'cars'), it is not what counts as typical. The score would weigh in how many of the
 * interest's and its expansion's words an item repeats (a digest of "top news" items scores 9
 * title matches for 'world news'), which says little about what it is about. Dropping the score
 * gained on all four eval sets; powers 3–4 measure best (centred cosines; see src/rank/README.md,
 * "Typicality by meaning").
 */
const TYPICAL_MEANING_POWER = 4;
const TIE_SPLIT = 1e-5;
/** Best matches that lend score along the item graph. */
const SPREAD_FROM = 50;

// Scratch heaps, one per use, shared by every call (scoreInterest runs thousands of times per
// batch and synchronously; each use copies its result out with columns()): fresh heaps per
// interest were measurable garbage.
const BEST = new TopK(0);
const RESCORED = new TopK(0);
const SCRATCH = new TopK(0);
const TYPICAL = new TopK(0);
let CENTROID = new Float64Array(0);
let CENTROID_Q = new Int8Array(0);
let COS = new Float64Array(0);
let WEIGHTS = new Float64Array(0);
/** bySentence's cosines by item (see there). */
let COS_OF = new Float32Array(0);

function best(acc: Accumulator, k: number, scale = 1): FirstPass {
  const top = BEST.reset(k);
  const s = acc.scores;
  const touched = acc.touched;
  for (let i = 0; i < acc.count; i++) top.push(touched[i]!, s[touched[i]!]!);
  return top.columns(scale);
}

/**
 * The typed words of an interest as query terms, phrases and, `withTable`, embedding rows and
 * vector (without them, nothing downstream uses the word table: expansion's neighbours and gate
 * and the document-vector re-scoring all need the vector).
 */
function parseInterest(corpus: Corpus, phrases: readonly string[], withTable: boolean) {
  const query = new Map<number, number>();
  const phraseSeqs: { seq: number[]; content: number[] }[] = [];
  const emb = withTable ? corpus.embeddings : null;
  const rows: number[] = [];
  // Typed as a phrase, so an item with some of its words is only partly about it, even when
  // another of them is in no item of the batch (and so in no phrase sequence).
  let multiword = false;
  // What the phrase words that no item uses would add to a full match (idf of an unseen word).
  let unseen = 0;
  for (const phrase of phrases) {
    const words = tokenize(phrase);
    let content = words.filter(isContentWord);
    if (content.length === 0) content = words;
    const isPhrase = content.length > 1;
    if (isPhrase) multiword = true;
    // A phrase's words share one unit of weight (√ keeps long phrases from dominating).
    const weight = (isPhrase ? PHRASE_PART : 1) / content.length ** 0.5;
    const seq = words.map((w) => corpus.termIds.get(stem(w)) ?? -2);
    const contentIds: number[] = [];
    for (const w of content) {
      const id = corpus.termIds.get(stem(w));
      if (id !== undefined && corpus.df[id]! > 0) {
        query.set(id, (query.get(id) ?? 0) + weight);
        contentIds.push(id);
      } else if (isPhrase) unseen += weight * idfOf(corpus.n, 0);
      if (emb) {
        let row = emb.row(w);
        if (row < 0) row = emb.row(stem(w));
        if (row >= 0) rows.push(row);
      }
    }
    if (words.length > 1 && !seq.includes(-2)) phraseSeqs.push({ seq, content: contentIds });
  }
  let qvec: Float32Array | null = null;
  if (emb && rows.length) {
    qvec = new Float32Array(emb.dims);
    for (const r of rows) emb.addRow(qvec, r, 1);
    normalize(qvec);
  }
  return { query, phraseSeqs, rows, qvec, multiword, unseen };
}

/** What every interest of one batch is scored with: chosen once, in createRanker. */
export interface InterestScoring {
  corpus: Corpus;
  opts: ExpansionOptions;
  /** How many docs each list keeps (EDITION_DEPTH in editions; deeper only adds a tail). */
  depth: number;
  /** Scratch scores, reset by each call. */
  acc: Accumulator;
  /** The item graph, or null when spreading is off. */
  graph: ItemGraph | null;
  /** BM25F scoring: addBm25, or addBm25Scan for the bench's naive baseline. */
  bm25: typeof addBm25;
  /** The batch's sentence vectors, or null when the caller has none. */
  sentences: SentenceSpace | null;
  /** Whether they cover the batch, so word vectors step aside (index.ts: SENTENCES_REPLACE_WORDS). */
  sentencesCover: boolean;
}

/**
 * Scores one interest. `phrases` are the words as typed (one for an interest, the seed terms
 * for a topic); `lexicalOnly` skips expansion (used for negative "less like this" weights).
 */
export function scoreInterest(
  scoring: InterestScoring,
  phrases: readonly string[],
  lexicalOnly: boolean,
): InterestVector {
  const { corpus, opts, depth, acc, graph, bm25 } = scoring;
  const space = scoring.sentences;
  const found = !lexicalOnly && space ? space.interest(interestSentenceText(phrases)) : undefined;
  const sq = found && found.length === space!.dims ? found : undefined;
  // Where sentence vectors cover the batch, the word table's neighbours only add noise, except
  // for an interest that has no sentence vector of its own (its encode failed).
  const { query, phraseSeqs, rows, qvec, multiword, unseen } = parseInterest(
    corpus,
    phrases,
    !(scoring.sentencesCover && sq),
  );
  const original = new Set(query.keys());
  const terms: QueryTerm[] = [...query].map(([term, weight]) => ({ term, weight }));
  // Normalise so that one title match of every typed word scores about 1, whatever the idf:
  // interests then add up fairly, and a fixed threshold means the same thing on any day.
  let ideal = 0;
  for (const q of terms) ideal += q.weight * idf(corpus, q.term) * TITLE_IMPACT;
  // A phrase word that no item uses still belongs to a full match, so the rest of the phrase
  // counts as the part it is ("home" of "home decor" when no item says "decor"). When no typed
  // word is in the batch, the neighbours' and the fill's scale stays as it was.
  if (ideal > 0) ideal += unseen * TITLE_IMPACT;
  if (ideal === 0) ideal = 1;
  const phraseHits = phraseSeqs.map((p) => phraseDocs(corpus, p.seq, p.content));
  const phraseW = phraseHits.map((hits) => PHRASE_WEIGHT * idfOf(corpus.n, hits.length));
  const lexical = (query: readonly QueryTerm[]) => {
    acc.reset();
    bm25(corpus, query, acc);
    phraseHits.forEach((hits, i) => {
      for (const d of hits) acc.add(d, phraseW[i]!);
    });
  };

  lexical(terms);
  let expansions: Expansion[] = [];
  const expand = !lexicalOnly && (opts.prf || opts.cooccurrence || opts.embeddings);
  for (let round = 0; expand && round < opts.rounds; round++) {
    // No item has the typed words: expansion then rests on the table's neighbours alone.
    // Membership for co-occurrence. One-word interests: scaled up (×ideal), so every match
    // counts as a full member — each contains the word (measured better than graded: mind-dev
    // MAP 0.348 vs 0.346, ag-news 0.902 vs 0.891). Phrases: graded (÷ideal, 1 ≈ the phrase in
    // the title), since an item with one word of "World Series" is only partly about it
    // (mind-dev MAP 0.348 → 0.352, P@10 0.56 → 0.59; ag-news unchanged), also when a word of
    // the phrase is in no item (then every item with the other word was a full member, and
    // co-occurrence made expansion words of whatever two of them shared).
    const first = best(acc, MEMBERS, multiword ? 1 / ideal : ideal);
    expansions = expandInterest(corpus, original, first, qvec, rows, opts);
    // The first round only adds the new words on top of the typed words' scores (the same sum,
    // without scoring the typed words' long postings again); later rounds start over.
    if (round === 0) bm25(corpus, expansions, acc);
    else lexical([...terms, ...expansions]);
  }
  // acc holds raw BM25F units from here on; lists taken from it are scaled by 1/ideal (one
  // division per kept item instead of one per touched item).
  const unit = 1 / ideal;

  if (!lexicalOnly && graph && opts.spread > 0) {
    // One step along the item graph: the best matches lend score to their nearest items.
    const from = best(acc, SPREAD_FROM);
    from.docs.forEach((d, i) => {
      const s = opts.spread * from.scores[i]!;
      for (let j = d * graph.k; j < (d + 1) * graph.k; j++) {
        const o = graph.nbr[j]!;
        if (o < 0) break;
        acc.add(o, s * graph.weight[j]!);
      }
    });
  }

  const dense = !lexicalOnly && opts.dense && qvec !== null && corpus.docVectors !== null;
  const matches = best(acc, depth + (dense ? RESCORED_EXTRA : 0), unit);
  acc.reset();
  /** The later stages over the best `n` word matches, giving a list of at most `n`. */
  const reorder = (n: number): FirstPass => {
    let top = dense ? byWordVectors(corpus, qvec!, matches, n, opts) : prefix(matches, n);
    let cosOf: Float32Array | null = null;
    if (sq) ({ list: top, cosOf } = bySentence(space!, sq, top, n, opts.denseFill));
    // Needs the items' vectors only, so it holds even when this interest's own encode failed.
    if (!lexicalOnly && space && opts.typical) top = byTypicality(space, top, cosOf);
    return top;
  };
  // The head is what an edition keeps; a deeper list goes on past it (see EDITION_DEPTH).
  let top = reorder(Math.min(depth, EDITION_DEPTH));
  if (depth > EDITION_DEPTH) top = extend(top, reorder(depth), depth);

  return {
    docs: Int32Array.from(top.docs),
    scores: Float32Array.from(top.scores),
    original,
    expansions,
  };
}

/**
 * Word-vector re-scoring of the best `n` of `matches` (and RESCORED_EXTRA more, so that
 * re-ordering can pull some in). Rocchio: move the interest's vector (`qvec`) toward its best
 * matches, then reward candidates by semantic closeness; this reorders lexical matches by what
 * the story is about. When the words match fewer than `n`, the nearest items by meaning fill the
 * list.
 */
function byWordVectors(
  corpus: Corpus,
  qvec: Float32Array,
  matches: FirstPass,
  n: number,
  opts: ExpansionOptions,
): FirstPass {
  const cands = prefix(matches, n + RESCORED_EXTRA);
  const vectors = corpus.docVectors!;
  const dims = qvec.length;
  const q = qvec.slice();
  const centroid = new Float32Array(dims);
  for (const d of cands.docs.slice(0, opts.feedbackDocs))
    for (let i = 0; i < dims; i++) centroid[i]! += vectors[d * dims + i]!;
  normalize(centroid);
  for (let i = 0; i < dims; i++) q[i]! += ROCCHIO * centroid[i]!;
  normalize(q);
  const rescored = RESCORED.reset(n);
  // A candidate whose score plus the largest bonus stays below the n-th lexical score cannot
  // make the list (every bonus is ≥ 0): its cosine is not worth computing.
  const bar = cands.docs.length >= n ? cands.scores[n - 1]! - DENSE_WEIGHT : -Infinity;
  cands.docs.forEach((d, i) => {
    if (cands.scores[i]! < bar) return;
    rescored.push(d, cands.scores[i]! + denseBonus(dot(q, vectors, d * dims)));
  });
  const index = opts.denseFill && cands.docs.length < n ? denseIndexOf(corpus) : null;
  if (index) {
    // The words ran out before the list did: fill it by meaning alone (items whose vector is
    // close to the interest's), below any item that shares a word. (Unlike the sentence fill,
    // not also into full lists: with word vectors that changed no P@10 at editions' depth and
    // cost 0.8 s of the rank bench's 3.4 s; see src/rank/README.md, "Filling full lists".)
    addNearest(
      rescored,
      nearestDocs(corpus, index, q, fillSize(DENSE_FILL, n, cands.docs.length)),
      cands.docs,
      FILL_MIN_COSINE,
      denseBonus,
    );
  }
  return rescored.columns();
}

/**
 * Adds what a sentence encoder says about each candidate: how close the whole text is to the
 * interest. With `fill`, the nearest items by sentence join the list (below an item that shares
 * a word, unless their text is much closer), whenever one could still reach it: always when the
 * interest's words ran out, and when they did not, if the list's last score is below what the
 * closest possible item would get. Also returns each listed item's cosine, by item (a scratch
 * array: valid until the next interest is scored).
 */
function bySentence(
  space: SentenceSpace,
  q: Int8Array,
  top: FirstPass,
  depth: number,
  fill: boolean,
): { list: FirstPass; cosOf: Float32Array } {
  const out = SCRATCH.reset(depth);
  const { docs, scores } = top;
  const { floor, fillMin } = sentenceThresholds(space.centring);
  const bonus = (cos: number) => (cos > floor ? SENTENCE_WEIGHT * (cos - floor) : 0);
  if (COS_OF.length < space.present.length) COS_OF = new Float32Array(space.present.length);
  // Plain loops: this runs for every distinct interest of a batch (thousands).
  for (let i = 0; i < docs.length; i++) {
    const cos = sentenceCosine(space, q, docs[i]!);
    COS_OF[docs[i]!] = cos;
    out.push(docs[i]!, scores[i]! + bonus(cos));
  }
  // Whenever a fill item could still make the list, not only when the words ran out before
  // `depth`: that made how deep a caller keeps lists (50 for editions, 1,000 for `sift rank`)
  // decide whether an item that shares no word could come in at all, so editions ranked worse
  // than what the eval measured (src/rank/README.md, "Filling full lists").
  if (fill && out.admits(bonus(1))) {
    const near =
      out.size < depth
        ? nearestBySentence(space, q, SENTENCE_FILL)
        : nearestBySentence(space, q, FULL_LIST_FILL, FULL_LIST_PROBES);
    for (let i = 0; i < near.docs.length; i++) COS_OF[near.docs[i]!] = near.scores[i]!;
    addNearest(out, near, docs, fillMin, bonus);
  }
  return { list: out.columns(), cosOf: COS_OF };
}

/**
 * Re-orders an interest's best matches (`list`, best first) by how typical each is of them.
 * The cluster hypothesis, in sentence space: the matches that are about the interest resemble
 * one another, while an item that only mentions its words ("Car club helps local police" for
 * 'cars', a STEM-school ranking for 'science') sits apart from them. The scores stay where
 * they were, best first: the k-th item by typicality takes the k-th best score, so thresholds
 * and the balance between a subscriber's interests mean what they did. Items without a vector
 * count as averagely typical. Given each item's sentence cosine to the interest (`cosOf`, by
 * item), each match weighs in the centroid by that closeness (TYPICAL_MEANING_POWER); without
 * them (the interest's own encode failed), by its score.
 */
function byTypicality(space: SentenceSpace, list: FirstPass, cosOf: Float32Array | null): FirstPass {
  const m = Math.min(TYPICAL_TOP, list.docs.length);
  if (m < 3) return list;
  const { docs, scores } = list;
  const { dims, vectors, present } = space;
  if (WEIGHTS.length < m) WEIGHTS = new Float64Array(TYPICAL_TOP);
  const weights = WEIGHTS;
  for (let k = 0; k < m; k++)
    weights[k] = cosOf ? Math.max(0, cosOf[docs[k]!]!) ** TYPICAL_MEANING_POWER : scores[k]!;
  if (CENTROID.length !== dims) CENTROID = new Float64Array(dims);
  const centroid = CENTROID.fill(0);
  // Four rows per pass over the centroid: a quarter of its loads and stores (measured 2× faster;
  // this runs for every distinct interest of a batch).
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const w0 = weights[i]!;
    const w1 = weights[i + 1]!;
    const w2 = weights[i + 2]!;
    const w3 = weights[i + 3]!;
    const b0 = docs[i]! * dims;
    const b1 = docs[i + 1]! * dims;
    const b2 = docs[i + 2]! * dims;
    const b3 = docs[i + 3]! * dims;
    for (let j = 0; j < dims; j++)
      centroid[j]! +=
        w0 * vectors[b0 + j]! + w1 * vectors[b1 + j]! + w2 * vectors[b2 + j]! + w3 * vectors[b3 + j]!;
  }
  for (; i < m; i++) {
    const w = weights[i]!;
    const base = docs[i]! * dims;
    for (let j = 0; j < dims; j++) centroid[j]! += w * vectors[base + j]!;
  }
  // Measured from the batch's mean: Σ w·(v − mean) over the items that have a vector.
  const { mean, norms } = centredOf(space);
  let weight = 0;
  for (i = 0; i < m; i++) if (present[docs[i]!] === 1) weight += weights[i]!;
  let norm = 0;
  for (let j = 0; j < dims; j++) {
    centroid[j]! -= weight * 127 * mean[j]!;
    norm += centroid[j]! * centroid[j]!;
  }
  if (norm === 0) return list;
  // Quantised like the item rows, so the products below run on int8 like every other.
  if (CENTROID_Q.length !== dims) CENTROID_Q = new Int8Array(dims);
  const c = CENTROID_Q;
  const scale = 127 / Math.sqrt(norm);
  let meanDot = 0;
  for (let j = 0; j < dims; j++) {
    c[j] = Math.round(centroid[j]! * scale);
    meanDot += mean[j]! * c[j]!;
  }
  meanDot /= 127;
  const cos = COS.length >= m ? COS : (COS = new Float64Array(TYPICAL_TOP));
  let sum = 0;
  let encoded = 0;
  for (i = 0; i < m; i++) {
    const d = docs[i]!;
    if (present[d] === 0) continue;
    // cos(v − mean, centroid) = (v·ĉ − mean·ĉ) / |v − mean|, with ĉ of unit length.
    cos[i] = Math.max(0, (sentenceCosine(space, c, d) - meanDot) / norms[d]!);
    sum += cos[i]!;
    encoded++;
  }
  const average = encoded ? sum / encoded : 0;
  const order = TYPICAL.reset(m);
  for (i = 0; i < m; i++)
    order.push(i, scores[i]! + TYPICAL_WEIGHT * (present[docs[i]!] === 1 ? cos[i]! : average));
  order.sortedInPlace();
  const reordered = docs.slice();
  const ladder = scores.slice();
  for (let k = 0; k < m; k++) {
    reordered[k] = docs[order.docs[k]!]!;
    // Equal rungs are split by a hair (well above float32's step at these magnitudes), or the
    // tie-break by item index downstream would undo the order.
    if (k > 0) ladder[k] = Math.min(ladder[k]!, ladder[k - 1]! - TIE_SPLIT);
  }
  // ...and past the re-ordered block while a run of equal scores continues, so the list stays
  // best first (rank() may read deeper than TYPICAL_TOP).
  for (let k = m; k < ladder.length && ladder[k]! > ladder[k - 1]! - TIE_SPLIT; k++)
    ladder[k] = ladder[k - 1]! - TIE_SPLIT;
  return { docs: reordered, scores: ladder };
}

/** The first `n` of a best-first list (the list itself when it is no longer). */
function prefix(list: FirstPass, n: number): FirstPass {
  return list.docs.length <= n ? list : { docs: list.docs.slice(0, n), scores: list.scores.slice(0, n) };
}

/**
 * `head` continued up to `depth` items by the rest of `whole` (the same interest ordered over a
 * deeper list) in its order, each scored no higher than the item before it so the list stays
 * best first.
 */
function extend(head: FirstPass, whole: FirstPass, depth: number): FirstPass {
  const inHead = new Set(head.docs);
  const docs = head.docs.slice();
  const scores = head.scores.slice();
  let last = scores.at(-1) ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < whole.docs.length && docs.length < depth; i++) {
    const d = whole.docs[i]!;
    if (inHead.has(d)) continue;
    last = whole.scores[i]! < last ? whole.scores[i]! : last - TIE_SPLIT;
    docs.push(d);
    scores.push(last);
  }
  return { docs, scores };
}

/**
 * How many nearest items the word-vector fill needs to look at: at most `fill`, and never more
 * than could make a list of `depth` that already holds `listed` items (fill items are ranked by
 * closeness, so the ones kept are among the `depth` nearest unlisted ones, which are among the
 * `depth + listed` nearest). Exact for nearestDocs, which takes the top k of a scan that does not
 * depend on k; not used for the sentence search, whose shortlist shrinks with k (fewer found).
 */
function fillSize(fill: number, depth: number, listed: number): number {
  return Math.min(fill, depth + listed);
}

/**
 * Fills a list whose words ran out: the nearest items by meaning (`near`, as cosines) that are
 * not on it yet and at least `minCos` close, scored by the closeness bonus alone.
 */
function addNearest(
  out: TopK,
  near: FirstPass,
  listed: readonly number[],
  minCos: number,
  bonus: (cos: number) => number,
): void {
  const seen = new Set(listed);
  for (let i = 0; i < near.docs.length; i++) {
    const cos = near.scores[i]!;
    if (cos >= minCos && !seen.has(near.docs[i]!)) out.push(near.docs[i]!, bonus(cos));
  }
}

/** Semantic reward for a cosine: 0 up to DENSE_FLOOR, then linear up to DENSE_WEIGHT. */
function denseBonus(cos: number): number {
  return cos > DENSE_FLOOR ? (DENSE_WEIGHT * (cos - DENSE_FLOOR)) / (1 - DENSE_FLOOR) : 0;
}
