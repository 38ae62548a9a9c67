/**
 * Realistic edition views for render tests and bench/render.ts: news-like titles and summaries
 * of real lengths (with ampersands, quotes and non-ASCII text), shared by many subscribers the
 * way a real edition run shares items, and per-subscriber signed-looking links.
 */
import type { EditionView, PickView } from '../../src/render/view.ts';
import type { SubscriberLinks } from '../../src/security/subscriber-links.ts';

/** A small deterministic PRNG (mulberry32), so samples are the same on every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = [
  'Oilers',
  'Maple Leafs',
  'Climate talks',
  'The ECB',
  'Rust 2.0',
  'Golf’s new tour',
  'Curling arena',
  'NASA’s Europa probe',
  'Café owners',
  'Open-source maintainers',
  'Zürich council',
  'Wind & solar auctions',
  'Chess federation',
  'Lithium miners',
];
const VERBS = [
  'edge past',
  'rethink',
  'announce plans for',
  'clash over',
  'win approval for',
  'delay',
  'quietly expand',
  'face questions over',
];
const OBJECTS = [
  'overtime thriller',
  'a “once in a generation” budget',
  'new carbon rules',
  'the 2027 season',
  'rate cuts <again>',
  'a €2bn grid upgrade',
  'playoff seeding',
  'memory-safety roadmap',
  'fan ticket prices',
];
const SOURCES = [
  'Sports Wire',
  'Tech Daily',
  'Science Notes',
  'Rink Report',
  'The Ledger',
  'Policy & Planet',
  'Le Monde Diplo',
];
const INTERESTS = ['hockey', 'golf', 'climate policy', 'rust', 'space', 'curling', 'energy'];
const FILLER =
  'Officials said the decision, expected for months, followed a review of costs and timelines. Critics argue the plan does not go far enough, while supporters point to early results & a clear path for the next season. Analysts at two firms called it “a cautious but meaningful step”.'.split(
    ' ',
  );

/** A pool of items, as one edition run would share them between subscribers. */
export function itemPool(size: number, seed = 7): PickView[] {
  const r = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: size }, (_, i) => {
    const words = 24 + Math.floor(r() * 30);
    const start = Math.floor(r() * 10);
    const summary = Array.from({ length: words }, (_, k) => FILLER[(start + k) % FILLER.length]).join(' ');
    const source = pick(SOURCES);
    return {
      itemId: 1000 + i,
      title: `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)}`,
      url: `https://news.example/${source.toLowerCase().replace(/[^a-z]+/g, '-')}/2026/11/story-${i}?ref=rss&id=${i}`,
      source,
      summary,
      reasons: [],
      publishedAt: Date.UTC(2026, 10, 24, 6, 0) - i * 60_000,
    };
  });
}

/** Signed-looking links for one subscriber (the shape SubscriberLinks produces). */
export function sampleLinks(subscriberId: number, base = 'https://sift.example'): SubscriberLinks {
  const token = (purpose: number) =>
    `${subscriberId}.1.${((subscriberId * 2654435761 + purpose * 40503) >>> 0).toString(36).padEnd(22, 'x')}`;
  // Signed once per subscriber, like the real SubscriberLinks.
  const feedback = token(4);
  return {
    unsubscribe: `${base}/u/${token(1)}`,
    preferences: `${base}/p/${token(2)}`,
    feeds: {
      atom: `${base}/feeds/${token(3)}.atom`,
      rss: `${base}/feeds/${token(3)}.rss`,
      json: `${base}/feeds/${token(3)}.json`,
    },
    feedbackBase: `${base}/f/${feedback}`,
    feedback: (itemId, direction) => `${base}/f/${feedback}/${itemId}/${direction}`,
  };
}

/** One subscriber's edition: `picks` items from the pool, with reasons like the ranker's. */
export function sampleView(subscriberId: number, pool: PickView[], picks = 10): EditionView {
  const r = prng(subscriberId * 31 + 1);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(picks, pool.length)) chosen.add(Math.floor(r() * pool.length));
  const interests = [INTERESTS[subscriberId % INTERESTS.length]!, INTERESTS[(subscriberId * 3 + 1) % 7]!];
  return {
    editionId: subscriberId,
    editionKey: '2026-11-24',
    createdAt: Date.UTC(2026, 10, 24, 7, 0),
    email: `reader${subscriberId}@example.com`,
    links: sampleLinks(subscriberId),
    picks: [...chosen].map((k, n) => {
      const item = pool[k]!;
      const reasons = [`matches your interest '${interests[n % 2]}'`];
      if (k % 3 === 0) reasons.push(`from ${item.source}, which you follow`);
      if (k % 4 === 0) reasons.push(`also covered by ${1 + (k % 3)} other sources`);
      // As the send path has them: parsed from the edition's stored JSON (flat strings).
      return { ...item, reasons: JSON.parse(JSON.stringify(reasons)) as string[] };
    }),
  };
}
