import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/synthetic.ts';
import {
  createRanker,
  interestSentenceText,
  itemSentenceText,
  type SentenceVectors,
} from '../../src/rank/index.ts';
import type { RankItem } from '../../src/rank/types.ts';
import { embeddings, filler, item, prefs } from './helpers.ts';

const DIMS = 8;
/** A unit vector ×127 along the given axes, in proportion to their weights. */
function direction(weights: Record<number, number>): Int8Array {
  const v = Float64Array.from({ length: DIMS }, (_, i) => weights[i] ?? 0);
  const norm = Math.hypot(...v);
  return Int8Array.from(v, (x) => Math.round((x / norm) * 127));
}

/** A unit vector ×127 pointing mostly along axis `axis`, tilted toward `tilt` by `t`. */
function unit(axis: number, tilt = -1, t = 0): Int8Array {
  return direction(tilt >= 0 ? { [axis]: 1, [tilt]: t } : { [axis]: 1 });
}

/** Sentence vectors for a batch: by item id, and by interest text. */
function vectors(
  items: readonly RankItem[],
  byId: Record<string, Int8Array>,
  interests: Record<string, Int8Array>,
): SentenceVectors {
  return {
    dims: DIMS,
    items: items.map((it) => byId[it.id]),
    interest: (text) => interests[text],
  };
}

/**
 * Vectors on axes 4..7, away from the interests' axes 0..3: for filler, and for items that share
 * an interest's words but nothing of its meaning.
 */
function fillerVectors(items: readonly RankItem[]): Record<string, Int8Array> {
  return Object.fromEntries(items.map((it, i) => [it.id, unit(4 + (i % 4))]));
}

const HOCKEY = { [interestSentenceText(['hockey'])]: unit(0) };

/**
 * Vectors that point every which way, each a little toward or away from the interests' axis 0
 * (never enough to be picked), so that a grouped search has to route to the right groups: no ties.
 */
function scatteredVectors(items: readonly RankItem[], seed: number): Record<string, Int8Array> {
  const rand = seededRandom(seed);
  return Object.fromEntries(
    items.map((it) => {
      const v = Array.from({ length: DIMS }, (_, i) => (i === 0 ? 0.2 * (rand() - 0.5) : rand() - 0.5));
      return [it.id, direction({ ...v })];
    }),
  );
}

/** Six items that mention hockey in passing, a word in the summary, each about something else. */
function passingMentions(): RankItem[] {
  return [
    ['Bake sale raises funds', 'For the library roof, before the hockey broadcast'],
    ['Parking rules change downtown', 'Hockey fans are asked to take the tram'],
    ['Choir rehearsal moves to Thursday', 'Because of a hockey game'],
    ['Garden club plants tulips', 'Near the old hockey rink'],
    ['Power cut hits three streets', 'During the hockey final'],
    ['Bus timetable revised', 'The hockey shuttle stays'],
  ].map(([title, summary]) => item(title!, { summary }));
}

describe('sentence vectors', () => {
  it('bring an item that is about the interest but shares none of its words, and say it is related', () => {
    const story = item('Oilers beat Flames in overtime thriller', { summary: 'Goalie makes forty saves' });
    const rest = filler();
    const items = [story, ...rest];
    const sentences = vectors(items, { ...fillerVectors(rest), [story.id]: unit(0, 1, 0.3) }, HOCKEY);
    const without = createRanker(items).rank(prefs({ interests: ['hockey'] }), { minScore: 0 });
    expect(without.map((p) => p.id)).not.toContain(story.id);
    const picks = createRanker(items, { sentences }).rank(prefs({ interests: ['hockey'] }), { minScore: 0 });
    expect(picks[0]!.id).toBe(story.id);
    expect(picks[0]!.reasons).toEqual(["related to your interest 'hockey'"]);
    // Filler is orthogonal to the interest: no sentence score, so it stays out.
    expect(picks).toHaveLength(1);
  });

  it('do not bring an item that is only loosely related (a weak day stays short, without filler)', () => {
    const loose = item('Stadium parking fees rise next season', { summary: 'Council vote' });
    const rest = filler();
    const items = [loose, ...rest];
    // Cosine 0.25 with the interest: above unrelated news's usual level, below "about it".
    const sentences = vectors(items, { ...fillerVectors(rest), [loose.id]: unit(1, 0, 0.258) }, HOCKEY);
    const picks = createRanker(items, { sentences }).rank(prefs({ interests: ['hockey'] }), { minScore: 0 });
    expect(picks.map((p) => p.id)).not.toContain(loose.id);
  });

  it('measure closeness from partway to what the whole batch shares, so sharing only that brings nothing', () => {
    // Every item shares one direction (axis 7: what news is like), and so does the interest
    // ("news about hockey"): as encoded, each of the 300 other items is as close to the interest
    // (cosine 0.45) as a loosely related story would be. Only the game report is about hockey
    // (axis 0) beyond that.
    const game = item('Oilers beat Flames in overtime thriller', { summary: 'Goalie makes forty saves' });
    const rest = filler(300);
    const items = [game, ...rest];
    const byId = {
      ...Object.fromEntries(rest.map((it, i) => [it.id, direction({ 7: 0.9, [1 + (i % 6)]: 0.436 })])),
      [game.id]: direction({ 7: 0.9, 0: 0.436 }),
    };
    const hockey = { [interestSentenceText(['hockey'])]: direction({ 7: 0.5, 0: 0.866 }) };
    const rank = (centre: boolean) =>
      createRanker(items, { sentences: vectors(items, byId, hockey), expansion: { centre } })
        .rank(prefs({ interests: ['hockey'] }), { minScore: 0, limit: 20 })
        .map((p) => p.id);
    expect(rank(true)).toEqual([game.id]);
    // As encoded, what every item shares would pass for being about hockey.
    expect(rank(false).length).toBeGreaterThan(1);
  });

  it('between items that match the words equally, the one whose text is closer comes first, either way round', () => {
    const a = item('Hockey: notes from the weekend', { summary: 'Report' });
    const b = item('Hockey: notes from the weekday', { summary: 'Report' });
    const rest = filler();
    const items = [a, b, ...rest];
    const order = (near: RankItem, far: RankItem) => {
      const byId = { ...fillerVectors(rest), [near.id]: unit(0, 1, 0.2), [far.id]: unit(2) };
      return createRanker(items, { sentences: vectors(items, byId, HOCKEY) })
        .rank(prefs({ interests: ['hockey'] }))
        .map((p) => p.id);
    };
    expect(order(a, b).slice(0, 2)).toEqual([a.id, b.id]);
    expect(order(b, a).slice(0, 2)).toEqual([b.id, a.id]);
  });

  it("order an interest's matches by how typical each is of them: one that only mentions the word comes after those about it", () => {
    // Five game reports resemble one another; the parade item is as close to 'hockey' as each
    // of them (same cosine to the interest) but unlike them, and says 'hockey' twice.
    const games = [
      'Oilers beat Flames',
      'Leafs edge Bruins',
      'Canucks rally late',
      'Jets blank Wild',
      'Kraken win',
    ].map((t) => item(`Hockey: ${t}`, { summary: 'Report' }));
    const parade = item('Hockey, hockey: a parade', { summary: 'Report' });
    const rest = filler();
    const items = [parade, ...games, ...rest];
    const byId = {
      ...fillerVectors(rest),
      ...Object.fromEntries(games.map((g) => [g.id, unit(0, 1, 0.8)])),
      [parade.id]: unit(0, 2, 0.8),
    };
    const sentences = vectors(items, byId, HOCKEY);
    const rank = (typical: boolean) =>
      createRanker(items, { sentences, expansion: { typical } }).rank(prefs({ interests: ['hockey'] }));
    const plain = rank(false);
    const typical = rank(true);
    expect(plain[0]!.id).toBe(parade.id);
    expect(
      typical
        .map((p) => p.id)
        .slice(0, 5)
        .sort(),
    ).toEqual(games.map((g) => g.id).sort());
    expect(typical.map((p) => p.id)).toContain(parade.id);
    // The scores stay the same ladder, best first: only who stands on which rung changed.
    for (const [i, p] of typical.entries()) expect(p.score).toBeCloseTo(plain[i]!.score, 3);
  });

  it('change nothing when no item has a vector; without interest vectors, keep the same items on the same score ladder', () => {
    const items = [item('Hockey final tonight', { summary: 'Oilers and Flames' }), ...filler()];
    const p = prefs({ interests: ['hockey', 'sourdough'] });
    const plain = createRanker(items).rank(p, { minScore: 0 });
    expect(plain.length).toBeGreaterThan(1);
    expect(createRanker(items, { sentences: vectors(items, {}, HOCKEY) }).rank(p, { minScore: 0 })).toEqual(
      plain,
    );
    // Without interest vectors there is no closeness to the interest and no fill by sentence;
    // typicality needs only the items' vectors, so it may re-order, on the same score ladder.
    const noInterest = vectors(items, fillerVectors(items), {});
    const all = { minScore: 0, limit: 100 };
    const plainAll = createRanker(items).rank(p, all);
    const typical = createRanker(items, { sentences: noInterest }).rank(p, all);
    expect(typical.map((x) => x.id).sort()).toEqual(plainAll.map((x) => x.id).sort());
    for (const [i, x] of typical.entries()) expect(x.score).toBeCloseTo(plainAll[i]!.score, 3);
  });

  it('keep the list best first past the re-ordered block, through a run of equal scores', () => {
    // 60 items match 'hockey' equally; typicality re-orders the first 50. The other 10 stay
    // behind them, however deep the edition reads.
    const games = Array.from({ length: 60 }, (_, i) => item(`Hockey: game ${i}`, { summary: 'Report' }));
    const items = [...games, ...filler()];
    const byId = Object.fromEntries(games.map((g, i) => [g.id, unit(i % 4, (i + 1) % 4, 0.5)]));
    const picks = createRanker(items, { sentences: vectors(items, byId, {}), depth: 100 })
      .rank(prefs({ interests: ['hockey'] }), { limit: 60, minScore: 0 })
      .map((p) => p.id);
    expect(picks.slice(50).sort()).toEqual(
      games
        .slice(50)
        .map((g) => g.id)
        .sort(),
    );
  });

  it('do not count an item that is close to everything in the batch as typical of an interest', () => {
    // Every item here shares one direction (axis 7: what the whole batch is like). The parade
    // item is little more than that shared direction; the game reports add hockey (axis 0) and
    // each its own detail. Measured from the batch's mean, the games are what 'hockey' matched.
    const games = ['Oilers beat Flames', 'Leafs edge Bruins', 'Canucks rally late', 'Jets blank Wild'].map(
      (t) => item(`Hockey: ${t}`, { summary: 'Report' }),
    );
    const parade = item('Hockey, hockey: a parade', { summary: 'Report' });
    const rest = filler();
    const items = [parade, ...games, ...rest];
    const byId = {
      ...Object.fromEntries(rest.map((it, i) => [it.id, direction({ 7: 1, [4 + (i % 3)]: 0.5 })])),
      ...Object.fromEntries(games.map((g, i) => [g.id, direction({ 0: 1, 7: 1, [1 + i]: 1.2 })])),
      [parade.id]: direction({ 7: 1, 6: 0.3 }),
    };
    const picks = createRanker(items, { sentences: vectors(items, byId, {}) })
      .rank(prefs({ interests: ['hockey'] }))
      .map((p) => p.id);
    expect(picks.slice(0, 4).sort()).toEqual(games.map((g) => g.id).sort());
    expect(picks[4]).toBe(parade.id);
  });

  it('count as typical what the matches that are about the interest by meaning have in common, even when most matches only mention its words', () => {
    // Ten crash reports say "car" twice; three car reviews say it once. By meaning the reviews
    // are about cars (axis 0) and the crash reports about crashes (axis 1), only touching cars.
    const crashes = Array.from({ length: 10 }, (_, i) =>
      item(`Car crash: car hits tree on route ${i}`, { summary: 'Report' }),
    );
    const reviews = ['Kia Telluride', 'Ford Maverick', 'Honda Civic'].map((t) =>
      item(`Car review: the ${t}`, { summary: 'Report' }),
    );
    const rest = filler();
    const items = [...crashes, ...reviews, ...rest];
    const byId = {
      ...Object.fromEntries(rest.map((it, i) => [it.id, direction({ 7: 1, [4 + (i % 3)]: 0.5 })])),
      ...Object.fromEntries(
        crashes.map((c, i) => [c.id, direction({ 1: 1, 0: 0.4, 7: 0.3, [4 + (i % 3)]: 0.1 })]),
      ),
      ...Object.fromEntries(reviews.map((r, i) => [r.id, direction({ 0: 1, 2: 0.8, 7: 0.3, [4 + i]: 0.1 })])),
    };
    const cars = { [interestSentenceText(['cars'])]: direction({ 0: 1, 7: 0.3 }) };
    const picks = createRanker(items, { sentences: vectors(items, byId, cars) })
      .rank(prefs({ interests: ['cars'] }), { minScore: 0, limit: 13 })
      .map((p) => p.id);
    expect(picks.slice(0, 3).sort()).toEqual(reviews.map((r) => r.id).sort());
  });

  it('let an item close by meaning into a list its words already fill, when it outscores the last of them', () => {
    // Six items mention hockey in passing (a word in the summary, nothing like it by meaning);
    // the game report never says the word. Lists kept 5 deep are full of word matches, but the
    // report is far closer to the interest than the last of them is worth.
    const mentions = passingMentions();
    const story = item('Oilers beat Flames in overtime thriller', { summary: 'Goalie makes forty saves' });
    const rest = filler();
    const items = [...mentions, story, ...rest];
    const byId = {
      ...fillerVectors(rest),
      ...fillerVectors(mentions),
      [story.id]: unit(0, 1, 0.3),
    };
    for (const depth of [5, 1000]) {
      const picks = createRanker(items, { sentences: vectors(items, byId, HOCKEY), depth }).rank(
        prefs({ interests: ['hockey'] }),
        { minScore: 0 },
      );
      expect(picks[0]!.id).toBe(story.id);
      expect(picks[0]!.reasons).toEqual(["related to your interest 'hockey'"]);
    }
  });

  it('give an interest the same head whatever depth its list is kept to, and go on past it when deeper', () => {
    // 55 game reports say 'hockey' in the headline, nothing like it by meaning. A roundup says it
    // once in passing and is fairly close to the interest by meaning: enough, with its word,
    // to outscore every report, but not by meaning alone. An edition keeps 50 per interest, so the
    // roundup is not among the word matches the later stages order; a caller that keeps 1,000
    // must get the same first items, with the roundup only after them.
    const games = Array.from({ length: 55 }, (_, i) => item(`Hockey: game ${i}`, { summary: 'Report' }));
    const roundup = item('Town news roundup', { summary: 'Road works, a hockey result and the weather' });
    const rest = filler();
    const items = [...games, roundup, ...rest];
    const byId = {
      ...fillerVectors(rest),
      ...fillerVectors(games),
      [roundup.id]: direction({ 0: 0.6, 1: 0.8 }),
    };
    const ranked = (depth: number, limit: number) =>
      createRanker(items, { sentences: vectors(items, byId, HOCKEY), depth })
        .rank(prefs({ interests: ['hockey'] }), { minScore: 0, limit })
        .map((p) => p.id);
    const edition = ranked(50, 10);
    expect(ranked(1000, 10)).toEqual(edition);
    expect(edition).not.toContain(roundup.id);
    const deep = ranked(1000, 60);
    expect(deep.slice(0, 10)).toEqual(edition);
    expect(deep.indexOf(roundup.id)).toBeGreaterThanOrEqual(50);
  });

  it('measure typicality as an angle, so an item far from the rest does not win by its length', () => {
    // The game reports sit just off what the whole batch is like (axis 7), toward hockey (axis
    // 0). The odd item is far from everything, half toward hockey and half elsewhere (axis 1):
    // it reaches further along the games' direction than they do, but at a wider angle. (Measured
    // as a length rather than an angle, it would come first.)
    const games = Array.from({ length: 8 }, (_, i) => item(`Hockey: game ${i} recap`, { summary: 'Report' }));
    const odd = item('Hockey, hockey!', { summary: 'Hockey report' });
    const rest = filler();
    const items = [odd, ...games, ...rest];
    const byId = {
      ...Object.fromEntries(rest.map((it, i) => [it.id, direction({ 7: 1, [4 + (i % 3)]: 0.3 })])),
      ...Object.fromEntries(games.map((g, i) => [g.id, direction({ 0: 0.3, 7: 1, [4 + (i % 3)]: 0.1 })])),
      [odd.id]: direction({ 0: 1, 1: 1.5 }),
    };
    const picks = createRanker(items, { sentences: vectors(items, byId, {}) })
      .rank(prefs({ interests: ['hockey'] }))
      .map((p) => p.id);
    expect(picks.indexOf(odd.id)).toBeGreaterThan(0);
  });

  it('replace the word-vector table once they cover the batch, and not before, nor for an interest without one', () => {
    // The items about hockey never say it: word vectors reach them through the neighbour 'NHL'
    // ("via 'NHL'"); sentence vectors reach them by meaning ("related to").
    const story = item('NHL: Flames trade their captain', { summary: 'The Calgary team made a deal.' });
    const other = item('NHL: Oilers sign a goalie', { summary: 'A two-year contract.' });
    const rest = filler();
    const items = [story, other, ...rest];
    const reasonFor = (byId: Record<string, Int8Array>, interests = HOCKEY) =>
      createRanker(items, { embeddings: embeddings(), sentences: vectors(items, byId, interests) })
        .rank(prefs({ interests: ['hockey'] }), { minScore: 0.05 })
        .find((p) => p.id === story.id)?.reasons[0];
    const hockeyish = { [story.id]: unit(0, 1, 0.3), [other.id]: unit(0, 2, 0.3) };
    const everyItem = { ...fillerVectors(rest), ...hockeyish };
    expect(reasonFor(everyItem)).toBe("related to your interest 'hockey'");
    // Most items without a vector (the encoder was failing): the word table still works.
    expect(reasonFor(hockeyish)).toBe("matches your interest 'hockey' (via 'NHL')");
    // Every item has one but the interest's own encode failed: its words still reach 'NHL'.
    expect(reasonFor(everyItem, {})).toBe("matches your interest 'hockey' (via 'NHL')");
  });

  it('never override a mute', () => {
    const story = item('Oilers beat Flames in overtime', { summary: 'Betting odds moved late' });
    const rest = filler();
    const items = [story, ...rest];
    const sentences = vectors(items, { ...fillerVectors(rest), [story.id]: unit(0) }, HOCKEY);
    const ids = createRanker(items, { sentences })
      .rank(prefs({ interests: ['hockey'], mutes: ['betting'] }), { minScore: 0 })
      .map((p) => p.id);
    expect(ids).not.toContain(story.id);
  });

  it('find the nearest items in a large batch too (grouped search), not only in small ones', () => {
    const stories = [
      item('Oilers beat Flames in overtime thriller'),
      item('Leafs sign goalie to contract extension'),
    ];
    const rest = filler(4000);
    const items = [...rest, ...stories];
    const byId = scatteredVectors(rest, 3);
    byId[stories[0]!.id] = unit(0, 1, 0.2);
    byId[stories[1]!.id] = unit(0, 2, 0.3);
    const picks = createRanker(items, { sentences: vectors(items, byId, HOCKEY) }).rank(
      prefs({ interests: ['hockey'] }),
      { minScore: 0 },
    );
    expect(picks.map((p) => p.id).sort()).toEqual(stories.map((s) => s.id).sort());
  });

  it('find a close item for a list its words already fill in a large batch too (a narrower grouped search)', () => {
    const mentions = passingMentions();
    const story = item('Oilers beat Flames in overtime thriller');
    const rest = filler(4000);
    const items = [...rest, ...mentions, story];
    const byId = scatteredVectors([...rest, ...mentions], 5);
    byId[story.id] = unit(0, 1, 0.2);
    const picks = createRanker(items, { sentences: vectors(items, byId, HOCKEY), depth: 5 }).rank(
      prefs({ interests: ['hockey'] }),
      { minScore: 0 },
    );
    expect(picks[0]!.id).toBe(story.id);
  });

  it('encode an item as its headline and the start of its summary, without links', () => {
    expect(itemSentenceText({ title: 'Hockey final', summary: 'Watch https://x.example/v?id=1 now' })).toBe(
      'Hockey final. Watch now',
    );
    expect(itemSentenceText({ title: ' Hockey final ' })).toBe('Hockey final');
    expect(itemSentenceText({ title: 'T', summary: 'word '.repeat(200) }).length).toBe(300);
    expect(interestSentenceText([' ice hockey ', 'NHL'])).toBe('news about ice hockey, NHL');
  });
});
