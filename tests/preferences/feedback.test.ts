import { describe, expect, it } from 'vitest';
import { applyFeedback, keyWords } from '../../src/preferences/feedback.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';

const story = { title: 'Fantasy hockey: waiver wire pickups for week 9', categories: ['fantasy'] };

describe('feedback', () => {
  it('"less" adds the item\'s key words as negative weights, visibly in the document', () => {
    const before = parsePreferences({ interests: ['hockey'] });
    const after = applyFeedback(before, story, 'less', ['fantasy', 'waiver']);
    expect(after.interests).toEqual([
      { term: 'hockey', weight: 1 },
      { term: 'fantasy', weight: -0.5 },
      { term: 'waiver', weight: -0.5 },
    ]);
  });

  it('"less" never lowers an interest the subscriber typed', () => {
    const before = parsePreferences({ interests: ['hockey'] });
    const after = applyFeedback(before, story, 'less', ['hockey', 'fantasy']);
    expect(after.interests.find((i) => i.term === 'hockey')?.weight).toBe(1);
  });

  it('"more" raises existing interests and adds new ones, capped at 5', () => {
    let p = parsePreferences({ interests: [{ term: 'Fantasy', weight: 4.8 }] });
    p = applyFeedback(p, story, 'more', ['fantasy', 'waiver']);
    expect(p.interests).toEqual([
      { term: 'Fantasy', weight: 5 },
      { term: 'waiver', weight: 0.5 },
    ]);
  });

  it('"more" then "less" cancels out and leaves no zero-weight clutter', () => {
    const p = parsePreferences({ interests: ['hockey'] });
    const back = applyFeedback(applyFeedback(p, story, 'more', ['waiver']), story, 'less', ['waiver']);
    expect(back.interests).toEqual(p.interests);
  });

  it('does not modify its input', () => {
    const p = parsePreferences({ interests: ['hockey'] });
    const copy = structuredClone(p);
    applyFeedback(p, story, 'less');
    expect(p).toEqual(copy);
  });

  it('picks key words from categories, then the longest title words', () => {
    expect(keyWords(story)).toEqual(['fantasy', 'pickups', 'hockey']);
  });
});
