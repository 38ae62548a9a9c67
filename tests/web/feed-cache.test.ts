import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import {
  type FeedEntry,
  feedEntry,
  forgetFeed,
  forgetFeeds,
  rememberBody,
  rememberFeed,
} from '../../src/web/feed-cache.ts';

const MB = 1024 * 1024;
const entry = (subscriberId: number): FeedEntry => ({
  subscriberId,
  feedVersion: 1,
  editionId: 1,
  bodies: {},
  etags: { atom: '"a"', rss: '"r"', json: '"j"' },
  headers: { atom: {}, rss: {}, json: {} },
  checkedAt: 0,
});

describe('feed cache', () => {
  it('forgets one token, or every token of a subscriber', () => {
    const db = {} as Db;
    const [a, b, c] = [entry(1), entry(1), entry(2)];
    rememberFeed(db, 'a', a);
    rememberFeed(db, 'b', b);
    rememberFeed(db, 'c', c);
    forgetFeed(db, 'c');
    expect(feedEntry(db, 'c')).toBeUndefined();
    forgetFeeds(db, 1);
    expect([feedEntry(db, 'a'), feedEntry(db, 'b')]).toEqual([undefined, undefined]);
  });

  it('evicts the oldest bodies over the byte budget, and never counts a body of a replaced entry', () => {
    const db = {} as Db;
    const first = entry(1);
    rememberFeed(db, 'old', first);
    const replacement = entry(1);
    rememberFeed(db, 'old', replacement);
    // The render for `first` finishes after it was replaced: its bytes must not count.
    rememberBody(db, 'old', first, 'atom', new Uint8Array(20 * MB));
    const other = entry(2);
    rememberFeed(db, 'other', other);
    rememberBody(db, 'other', other, 'atom', new Uint8Array(15 * MB));
    expect(feedEntry(db, 'old')).toBe(replacement);
    const third = entry(3);
    rememberFeed(db, 'third', third);
    rememberBody(db, 'third', third, 'rss', new Uint8Array(20 * MB));
    // 35 MiB counted: the oldest entries go until the budget (32 MiB) holds.
    expect(feedEntry(db, 'old')).toBeUndefined();
    expect(feedEntry(db, 'other')).toBeUndefined();
    expect(feedEntry(db, 'third')).toBe(third);
  });
});
