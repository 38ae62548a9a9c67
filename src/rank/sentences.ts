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

/**
 * Phrased as a request for news, not the bare words: a bare word sits where the encoder puts
 * words ('cars' near 'vehicles'), while 'news about cars' sits where it puts headlines about
 * cars, the things it is compared with. Measured (src/rank/README.md, "Asking for news"):
 * mind-dev P@10 / MAP 0.645 / 0.448 → 0.691 / 0.480, ag-news 1.00 / 0.895 → 1.00 / 0.899 (with the
 * floor and fill thresholds in interest.ts moved up by the same percentiles).
 */
export const INTEREST_FRAME = 'news about ';

/** An interest as typed, or a topic's seed terms: one text per cached interest vector. */
export function interestSentenceText(phrases: readonly string[]): string {
  return INTEREST_FRAME + phrases.map((p) => p.trim()).join(', ');
}
