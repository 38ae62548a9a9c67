/** Human-readable reasons for a pick: which interest matched and how, follows, coverage. */
import type { Corpus } from './corpus.ts';
import type { InterestVector } from './interest.ts';
import { stem, tokenizeKeepCase } from './tokenize.ts';

/** An interest as rank() used it: label shown to the reader, weight, and its cached vector. */
export interface ActiveInterest {
  label: string;
  kind: 'interest' | 'topic';
  weight: number;
  vector: InterestVector;
}

/** Score of doc d in an interest vector (0 when absent), by binary search over the doc-sorted copy. */
export function scoreIn(v: InterestVector, d: number): number {
  const docs = v.byDoc;
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = docs[mid]!;
    if (x === d) return v.byDocScore[mid]!;
    if (x < d) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Shows a matched term as the item spells it ("NHL", not "nhl"). */
export class SurfaceForms {
  private readonly cache = new Map<number, Map<string, string>>();
  constructor(private readonly corpus: Corpus) {}
  /** The item's own spelling of a stem, or the stem itself. */
  of(d: number, term: string): string {
    let m = this.cache.get(d);
    if (!m) {
      m = new Map();
      const it = this.corpus.items[d]!;
      for (const tok of tokenizeKeepCase(
        `${it.title} ${it.summary ?? ''} ${(it.categories ?? []).join(' ')}`,
      )) {
        const s = stem(tok.toLowerCase());
        if (!m.has(s)) m.set(s, tok);
      }
      this.cache.set(d, m);
    }
    return m.get(term) ?? term;
  }
}

function hasTerm(corpus: Corpus, d: number, term: number): boolean {
  const terms = corpus.docTerms[d]!;
  let lo = 0;
  let hi = terms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = terms[mid]!;
    if (x === term) return true;
    if (x < term) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * How an interest reached doc d: '' = one of its typed words is in the item, a word = through
 * that expansion word (as the item spells it), null = only by related meaning.
 */
function matchVia(corpus: Corpus, surfaces: SurfaceForms, v: InterestVector, d: number): string | null {
  for (const t of v.original) if (hasTerm(corpus, d, t)) return '';
  for (const e of v.expansions) if (hasTerm(corpus, d, e.term)) return surfaces.of(d, corpus.terms[e.term]!);
  return null;
}

// (interest vector, doc) → the finished reason text: popular interests meet popular items
// across thousands of subscribers, so each text is built once. Keyed by the label as shown, since
// "Hockey" and "hockey" share one vector but are quoted as typed.
const reasonCache = new WeakMap<InterestVector, Map<string, Map<number, string>>>();

/** The reason for one interest's contribution to doc d, e.g. "matches your interest 'hockey' (via 'NHL')". */
export function interestReason(corpus: Corpus, surfaces: SurfaceForms, a: ActiveInterest, d: number): string {
  let byLabel = reasonCache.get(a.vector);
  if (!byLabel) reasonCache.set(a.vector, (byLabel = new Map()));
  const key = a.kind === 'topic' ? `\u0000${a.label}` : a.label;
  let byDoc = byLabel.get(key);
  if (!byDoc) byLabel.set(key, (byDoc = new Map()));
  let text = byDoc.get(d);
  if (text === undefined) {
    const via = matchVia(corpus, surfaces, a.vector, d);
    const topic = a.kind === 'topic';
    if (via === null)
      text = topic ? `related to your topic '${a.label}'` : `related to your interest '${a.label}'`;
    else {
      const what = topic ? `is in your topic '${a.label}'` : `matches your interest '${a.label}'`;
      text = via ? `${what} (via '${via}')` : what;
    }
    byDoc.set(d, text);
  }
  return text;
}

// Reused by every explain() call (it is synchronous and does not keep them).
const scratchBest: ActiveInterest[] = [];
const scratchScore: number[] = [];

/** All reasons for a pick, strongest first. */
export function explain(
  corpus: Corpus,
  surfaces: SurfaceForms,
  active: readonly ActiveInterest[],
  d: number,
  followed: boolean,
  otherSources: number,
): string[] {
  // The three strongest contributions, by insertion (cheaper than sorting tuples per pick).
  const best = scratchBest;
  const bestScore = scratchScore;
  best.length = 0;
  bestScore.length = 0;
  for (const a of active) {
    if (a.weight <= 0) continue;
    const s = scoreIn(a.vector, d) * a.weight;
    if (s <= 0 || (best.length === 3 && s <= bestScore[2]!)) continue;
    let i = Math.min(best.length, 2);
    if (best.length < 3) {
      best.push(a);
      bestScore.push(s);
      i = best.length - 1;
    }
    while (i > 0 && bestScore[i - 1]! < s) {
      best[i] = best[i - 1]!;
      bestScore[i] = bestScore[i - 1]!;
      i--;
    }
    best[i] = a;
    bestScore[i] = s;
  }
  const reasons: string[] = [];
  for (const a of best) {
    const r = interestReason(corpus, surfaces, a, d);
    if (!reasons.includes(r)) reasons.push(r);
  }
  const source = corpus.items[d]!.source;
  if (followed) reasons.push(`from ${source ?? 'a source'}, which you follow`);
  if (otherSources > 0)
    reasons.push(`also covered by ${otherSources} other source${otherSources === 1 ? '' : 's'}`);
  if (reasons.length === 0) reasons.push('recent item that passed your filters');
  return reasons;
}
