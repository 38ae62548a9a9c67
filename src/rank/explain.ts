/** Human-readable reasons for a pick: which interest matched and how, follows, coverage. */
import type { Corpus } from './corpus.ts';
import type { InterestVector } from './interest.ts';
import { indexIn } from './lexical.ts';
import { stem, tokenizeKeepCase } from './tokenize.ts';

/** An interest as rank() used it: label shown to the reader, weight, and its cached vector. */
export interface ActiveInterest {
  label: string;
  kind: 'interest' | 'topic';
  weight: number;
  vector: InterestVector;
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
  return indexIn(corpus.docTerms[d]!, term) >= 0;
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

// (interest vector, position in its best-first entries) → the finished reason text: popular
// interests meet popular items across thousands of subscribers, so each text is built once.
// Keyed by the label as shown, since "Hockey" and "hockey" share one vector but are quoted as
// typed.
const reasonCache = new WeakMap<InterestVector, Map<string, (string | undefined)[]>>();

/**
 * The reason for one interest's contribution to doc d (at `position` in its best-first
 * entries), e.g. "matches your interest 'hockey' (via 'NHL')".
 */
function interestReason(
  corpus: Corpus,
  surfaces: SurfaceForms,
  a: ActiveInterest,
  d: number,
  position: number,
): string {
  let byLabel = reasonCache.get(a.vector);
  if (!byLabel) reasonCache.set(a.vector, (byLabel = new Map()));
  const key = a.kind === 'topic' ? `\u0000${a.label}` : a.label;
  let texts = byLabel.get(key);
  if (!texts) byLabel.set(key, (texts = new Array(a.vector.docs.length)));
  let text = texts[position];
  if (text === undefined) {
    const via = matchVia(corpus, surfaces, a.vector, d);
    const topic = a.kind === 'topic';
    if (via === null)
      text = topic ? `related to your topic '${a.label}'` : `related to your interest '${a.label}'`;
    else {
      const what = topic ? `is in your topic '${a.label}'` : `matches your interest '${a.label}'`;
      text = via ? `${what} (via '${via}')` : what;
    }
    texts[position] = text;
  }
  return text;
}

/** Reasons name at most this many interests per pick: the strongest contributions. */
const NAMED = 3;

/** The strongest interest contributions to each pick of one rank() call (offered by rank()). */
export class Contributions {
  private readonly interests: (ActiveInterest | undefined)[] = [];
  private readonly scores: number[] = [];
  private readonly positions: number[] = [];
  private readonly counts: number[] = [];

  /** Starts a call with `picks` picks, none offered yet. */
  reset(picks: number): void {
    for (let i = 0; i < picks; i++) this.counts[i] = 0;
  }

  /** Interest `a` adds `score` to pick `pick`, from `position` in its best-first entries. */
  offer(pick: number, a: ActiveInterest, score: number, position: number): void {
    if (score <= 0) return;
    const base = pick * NAMED;
    const n = this.counts[pick]!;
    if (n === NAMED && score <= this.scores[base + NAMED - 1]!) return;
    // Insertion into the pick's few slots, strongest first (cheaper than sorting tuples).
    let i = n < NAMED ? n : NAMED - 1;
    if (n < NAMED) this.counts[pick] = n + 1;
    while (i > 0 && this.scores[base + i - 1]! < score) {
      this.interests[base + i] = this.interests[base + i - 1];
      this.scores[base + i] = this.scores[base + i - 1]!;
      this.positions[base + i] = this.positions[base + i - 1]!;
      i--;
    }
    this.interests[base + i] = a;
    this.scores[base + i] = score;
    this.positions[base + i] = position;
  }

  /** All reasons for pick `pick` (doc d), strongest first. */
  explain(
    corpus: Corpus,
    surfaces: SurfaceForms,
    pick: number,
    d: number,
    followed: boolean,
    otherSources: number,
  ) {
    const reasons: string[] = [];
    const base = pick * NAMED;
    for (let i = 0; i < this.counts[pick]!; i++) {
      const r = interestReason(corpus, surfaces, this.interests[base + i]!, d, this.positions[base + i]!);
      if (!reasons.includes(r)) reasons.push(r);
    }
    const source = corpus.items[d]!.source;
    if (followed) reasons.push(`from ${source ?? 'a source'}, which you follow`);
    if (otherSources > 0)
      reasons.push(`also covered by ${otherSources} other source${otherSources === 1 ? '' : 's'}`);
    if (reasons.length === 0) reasons.push('recent item that passed your filters');
    return reasons;
  }
}
