import { describe, expect, it } from 'vitest';
import { applyFeedback } from '../../src/preferences/feedback.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import {
  describeChanges,
  diffInterests,
  feedbackRecord,
  undoFeedbackChanges,
} from '../../src/subscribers/feedback-change.ts';
import { localDate, startOfLocalDate } from '../../src/subscribers/local-date.ts';

describe('feedback changes', () => {
  it('records what applyFeedback changed: added, raised, lowered and removed interests', () => {
    const prefs = parsePreferences({
      interests: ['rust', { term: 'hockey', weight: 0.5 }, { term: 'nhl', weight: -0.5 }],
    });
    const after = applyFeedback(prefs, { title: 'NHL playoffs', categories: ['Hockey'] }, 'more');
    const changes = diffInterests(prefs, after);
    expect(changes).toEqual([
      { term: 'hockey', before: 0.5, after: 1 },
      { term: 'playoffs', before: null, after: 0.5 },
      { term: 'nhl', before: -0.5, after: 0 },
    ]);
    expect(undoFeedbackChanges(after, changes).interests).toEqual(expect.arrayContaining(prefs.interests));
  });

  it('undo reverses relative to the current weights, removes what it added and restores what it removed', () => {
    const prefs = parsePreferences({ interests: ['rust', { term: 'nhl', weight: -0.5 }] });
    const after = applyFeedback(prefs, { title: 'NHL playoffs tonight', categories: [] }, 'more');
    const changes = diffInterests(prefs, after);
    expect(undoFeedbackChanges(after, changes).interests).toEqual(prefs.interests);
    // Edited since: 'playoffs' raised to 2 on the page, so undo takes back only the click's +0.5.
    const edited = {
      ...after,
      interests: after.interests.map((i) => (i.term === 'playoffs' ? { ...i, weight: 2 } : i)),
    };
    expect(undoFeedbackChanges(edited, changes).interests).toContainEqual({ term: 'playoffs', weight: 1.5 });
  });

  it('describes changes in one line', () => {
    expect(
      describeChanges([
        { term: 'hockey', before: 1, after: 1.5 },
        { term: 'nhl', before: null, after: -0.5 },
      ]),
    ).toBe("'hockey' 1 → 1.5, added 'nhl' at −0.5");
    expect(describeChanges([])).toBe('nothing needed to change');
  });

  it('reads rows saved by the first version, one change { term, before, after }, so they show and undo', () => {
    const raised = feedbackRecord({ term: 'hockey', before: 1, after: 2 });
    expect(raised).toEqual({ changes: [{ term: 'hockey', before: 1, after: 2 }] });
    expect(describeChanges(raised.changes)).toBe("'hockey' 1 → 2");
    const added = feedbackRecord({ term: 'nhl', before: null, after: -1 });
    expect(describeChanges(added.changes)).toBe("added 'nhl' at −1");
    const prefs = parsePreferences({
      interests: [
        { term: 'hockey', weight: 2 },
        { term: 'nhl', weight: -1 },
      ],
    });
    const undone = undoFeedbackChanges(undoFeedbackChanges(prefs, raised.changes), added.changes);
    expect(undone.interests).toEqual([{ term: 'hockey', weight: 1 }]);
    // The current shape and rows with nothing recorded read as before.
    const changes = [{ term: 'rust', before: 0.5, after: 1 }];
    expect(feedbackRecord({ changes })).toEqual({ changes });
    expect(feedbackRecord({})).toEqual({ changes: [] });
    expect(feedbackRecord(null)).toEqual({ changes: [] });
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
