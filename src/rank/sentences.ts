/**
 * What a sentence encoder is given for items and interests. Pure: the encoder itself runs at
 * the edge (src/semantic/), the ranker only reads the vectors it produced for these texts.
 */

/** Longest text encoded per item: the encoder's cost grows with length, the meaning does not. */
const ITEM_TEXT_MAX = 300;
const LINK = /(?:https?:\/\/|www\.)\S*/gi;

/** An item's headline and the start of its summary, links removed (they are not words). */
export function itemSentenceText(item: { title: string; summary?: string }): string {
  const summary = (item.summary ?? '').replace(LINK, ' ').replace(/\s+/g, ' ').trim();
  const text = summary ? `${item.title.trim()}. ${summary}` : item.title.trim();
  return text.length > ITEM_TEXT_MAX ? text.slice(0, ITEM_TEXT_MAX) : text;
}

/** An interest as typed, or a topic's seed terms: one text per cached interest vector. */
export function interestSentenceText(phrases: readonly string[]): string {
  // One phrase is the common case (an interest), asked once per distinct interest per batch.
  return phrases.length === 1 ? phrases[0]!.trim() : phrases.map((p) => p.trim()).join(', ');
}
