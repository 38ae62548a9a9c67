/**
 * Mutes are a hard filter: whole words or phrases, case-insensitive, over every field the
 * reader sees (title, summary, content, categories) plus source name and author.
 */
import type { Corpus } from './corpus.ts';
import { tokenize } from './tokenize.ts';

const EMPTY = new Int32Array(0);

function hasPhrase(seq: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= seq.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (seq[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** Docs hidden by one mute phrase. Memoised per corpus by the caller (see MuteIndex). */
export function mutedDocs(corpus: Corpus, mute: string): Int32Array {
  const words = tokenize(mute);
  if (words.length === 0) {
    // Nothing word-like ("++"): fall back to a plain case-insensitive substring so it still hides.
    const needle = mute.toLowerCase().trim();
    if (!needle) return EMPTY;
    const hits: number[] = [];
    corpus.items.forEach((it, d) => {
      const text = [it.title, it.summary, it.content, it.source, it.author, ...(it.categories ?? [])].join(
        ' ',
      );
      if (text.toLowerCase().includes(needle)) hits.push(d);
    });
    return Int32Array.from(hits);
  }
  // Start from the rarest word's postings, then verify the whole phrase in order.
  let rarest: Int32Array | undefined;
  for (const w of words) {
    const p = corpus.rawPostings.get(w);
    if (!p) return EMPTY;
    if (!rarest || p.length < rarest.length) rarest = p;
  }
  if (words.length === 1) return rarest!;
  return rarest!.filter((d) => hasPhrase(corpus.rawSeq[d]!, words));
}

/** A set of docs as a bitset: O(1) membership, n/8 bytes. */
export type DocSet = Uint32Array;

/** True when doc d is in the set. */
export function hasDoc(set: DocSet, d: number): boolean {
  return ((set[d >>> 5]! >>> (d & 31)) & 1) === 1;
}

/** Caches the doc set of each distinct mute across subscribers (mutes repeat a lot). */
export class MuteIndex {
  private readonly cache = new Map<string, DocSet>();
  constructor(private readonly corpus: Corpus) {}
  /** Docs hidden by this mute, as a bitset. */
  docs(mute: string): DocSet {
    let set = this.cache.get(mute);
    if (!set) {
      const key = mute.toLowerCase().trim();
      set = this.cache.get(key);
      if (!set) {
        set = new Uint32Array((this.corpus.n + 31) >>> 5);
        for (const d of mutedDocs(this.corpus, key)) set[d >>> 5]! |= 1 << (d & 31);
        this.cache.set(key, set);
      }
      this.cache.set(mute, set);
    }
    return set;
  }
}
