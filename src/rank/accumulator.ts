/**
 * A sparse score vector being accumulated over ids (docs or terms): dense scores plus the ids
 * touched. The one scratch for such sums: scoring (lexical.ts, interest.ts), expansion's term
 * sums (expand.ts) and the item graph (graph.ts).
 */
export class Accumulator {
  readonly scores: Float32Array;
  // A doc's score is live only while its mark equals the current stamp: reset() is O(1).
  private readonly mark: Int32Array;
  private stamp = 1;
  /**
   * Ids touched since reset(), in first-touch order: touched[0 .. count). Typed and fixed-size:
   * a JS array emptied with length = 0 gives up its storage and regrows it on every call, which
   * cost 0.45 s of the rank bench's 5 s (100k calls).
   */
  readonly touched: Int32Array;
  count = 0;
  constructor(n: number) {
    this.scores = new Float32Array(n);
    this.mark = new Int32Array(n);
    this.touched = new Int32Array(n);
  }
  /** Adds x to id d's score. */
  add(d: number, x: number): void {
    if (this.mark[d] !== this.stamp) {
      this.mark[d] = this.stamp;
      this.scores[d] = x;
      this.touched[this.count++] = d;
    } else this.scores[d]! += x;
  }
  /** Forgets all scores (the next add() to a doc starts it from zero). */
  reset(): void {
    this.stamp++;
    this.count = 0;
  }
}
