import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/context.ts';
import { progressBar } from '../../src/cli/progress.ts';

function io(tty: boolean) {
  const err: string[] = [];
  const out: string[] = [];
  const value: Io = { out: (s) => void out.push(s), err: (s) => void err.push(s), tty };
  return { value, err, out };
}

describe('progress bar', () => {
  it('redraws one line in place on a terminal and ends it with a newline', () => {
    const t = io(true);
    const bar = progressBar(t.value, 'building', 10);
    bar.update(0, 4);
    bar.update(2, 4);
    bar.update(2, 4); // unchanged: not redrawn
    bar.update(4, 4);
    bar.finish();
    expect(t.err).toEqual([
      '\rbuilding [..........] 0/4',
      '\rbuilding [#####.....] 2/4',
      '\rbuilding [##########] 4/4',
      '\n',
    ]);
    expect(t.out).toEqual([]);
  });

  it('stays silent when stderr is not a terminal (logs and pipes stay clean)', () => {
    const t = io(false);
    const bar = progressBar(t.value, 'building');
    bar.update(1, 2);
    bar.finish();
    expect(t.err).toEqual([]);
  });
});
