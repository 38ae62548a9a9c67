import { describe, expect, it } from 'vitest';
import { canonicalUrl, stripTracking } from '../../src/ingest/canonical-url.ts';
import { ClusterIndex, MAX_DISTANCE } from '../../src/ingest/cluster.ts';
import { type Fingerprint, hamming, simhash } from '../../src/ingest/simhash.ts';

function flip(f: Fingerprint, bits: number[]): Fingerprint {
  let { hi, lo } = f;
  for (const b of bits) {
    if (b < 32) hi = (hi ^ (1 << b)) >>> 0;
    else lo = (lo ^ (1 << (b - 32))) >>> 0;
  }
  return { hi, lo };
}

describe('canonicalUrl', () => {
  it.each([
    ['https://www.news.example/a/b/?utm_source=x&utm_medium=y&id=3#top', 'news.example/a/b?id=3'],
    ['http://news.example/a/b?id=3', 'news.example/a/b?id=3'],
    ['https://news.example/a?b=2&a=1&fbclid=zz&gclid=q', 'news.example/a?a=1&b=2'],
    ['https://news.example:8443/', 'news.example:8443'],
    ['mailto:someone@example.com', null],
    ['not a url', null],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('stripTracking keeps everything but tracking parameters', () => {
    expect(stripTracking('https://x.example/p?utm_campaign=a&page=2#c')).toBe('https://x.example/p?page=2#c');
    expect(stripTracking('https://x.example/p?page=2')).toBe('https://x.example/p?page=2');
  });
});

describe('ClusterIndex', () => {
  const fp = simhash('The city council approved the new tram line on Tuesday after a long debate')!;

  it(`joins another source's text within ${MAX_DISTANCE} bits, whichever bits differ`, () => {
    for (const bits of [
      [0, 1, 2, 3, 4],
      [10, 21, 31, 42, 63],
      [11, 22, 33, 44, 55],
      [60, 61, 62, 63, 59],
    ]) {
      const index = new ClusterIndex();
      index.add(1, null, fp, 'story-a');
      const near = flip(fp, bits);
      expect(hamming(fp, near)).toBe(5);
      expect(index.assign(2, null, near, 'fallback')).toBe('story-a');
    }
  });

  it('keeps texts further apart, and copies within one source, as separate stories', () => {
    const index = new ClusterIndex();
    index.add(1, null, fp, 'story-a');
    expect(index.assign(2, null, flip(fp, [0, 11, 22, 33, 44, 55]), 'other')).not.toBe('story-a');
    expect(index.assign(1, null, flip(fp, [0]), 'same-source')).not.toBe('story-a');
  });

  it('prefers the canonical URL, and falls back to the given key without text or link', () => {
    const index = new ClusterIndex();
    index.add(1, 'news.example/a', null, 'story-a');
    expect(
      index.assign(2, 'news.example/a', simhash('entirely different words in this other summary'), 'x'),
    ).toBe('story-a');
    expect(index.assign(3, null, null, 'k:3:item')).toBe('k:3:item');
  });

  it('gives unrelated stories different fingerprints', () => {
    const other = simhash('Rocket engine test ends early after a sensor fault forty seconds in')!;
    expect(hamming(fp, other)).toBeGreaterThan(MAX_DISTANCE);
  });
});
