import { describe, expect, it } from 'vitest';
import { parsePreferences } from '../../src/preferences/schema.ts';
import {
  applyFeedbackChange,
  feedbackTerm,
  undoFeedbackChange,
} from '../../src/subscribers/feedback-change.ts';
import { localDate, startOfLocalDate } from '../../src/subscribers/local-date.ts';

describe('feedback changes', () => {
  it('picks a short feed category as the term, else the longest content word of the title', () => {
    expect(feedbackTerm({ title: 'Anything', categories: ['Hockey'] })).toBe('Hockey');
    expect(feedbackTerm({ title: 'The 2026 referendum on transit', categories: [] })).toBe('referendum');
    expect(feedbackTerm({ title: 'x', categories: ['a'.repeat(60)] })).toBe('x');
  });

  it('"more" adds or raises an interest, "less" adds a negative one or lowers it, within ±5', () => {
    const prefs = parsePreferences({ interests: [{ term: 'Hockey', weight: 5 }] });
    expect(applyFeedbackChange(prefs, 'hockey', 'more').change).toEqual({
      term: 'Hockey',
      before: 5,
      after: 5,
    });
    expect(applyFeedbackChange(prefs, 'hockey', 'less').prefs.interests).toEqual([
      { term: 'Hockey', weight: 4 },
    ]);
    const added = applyFeedbackChange(prefs, 'Football', 'less');
    expect(added.prefs.interests).toEqual([
      { term: 'Hockey', weight: 5 },
      { term: 'Football', weight: -1 },
    ]);
    expect(added.change).toEqual({ term: 'Football', before: null, after: -1 });
  });

  it('undo reverses relative to the current weight and removes what it added', () => {
    const prefs = parsePreferences({ interests: ['rust'] });
    const { prefs: after, change } = applyFeedbackChange(prefs, 'Football', 'more');
    expect(undoFeedbackChange(after, change).interests).toEqual([{ term: 'rust', weight: 1 }]);
    const raised = applyFeedbackChange(prefs, 'rust', 'more');
    // The subscriber edited the weight to 4 afterwards: undo takes back only the click's +1.
    const edited = { ...raised.prefs, interests: [{ term: 'rust', weight: 4 }] };
    expect(undoFeedbackChange(edited, raised.change).interests).toEqual([{ term: 'rust', weight: 3 }]);
    expect(undoFeedbackChange(parsePreferences({}), raised.change).interests).toEqual([]);
  });
});

describe('local dates', () => {
  it('finds local midnight in any zone, including one whose midnight daylight saving skips', () => {
    expect(startOfLocalDate('2026-12-24', 'Europe/Paris')).toBe(Date.UTC(2026, 11, 23, 23));
    expect(startOfLocalDate('2026-12-24', 'America/New_York')).toBe(Date.UTC(2026, 11, 24, 5));
    expect(startOfLocalDate('2026-12-24', 'UTC')).toBe(Date.UTC(2026, 11, 24));
    // Santiago skips 00:00–01:00 on 2026-09-06: the day starts at 01:00 local (04:00 UTC).
    const t = startOfLocalDate('2026-09-06', 'America/Santiago');
    expect(localDate(t, 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(t - 60_000, 'America/Santiago')).toBe('2026-09-05');
  });
});
