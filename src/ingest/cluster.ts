// Story clusters (issue 3): the same story from several sources gets one `items.cluster_key`,
// which ranking reads as clusterId ("also covered by …"). Two signals, cheapest first:
//   1. the canonical URL (tracking parameters, scheme, www. and fragments removed);
//   2. a near-duplicate title + summary (SimHash within MAX_DISTANCE bits) from another source.
import type { Db } from '../db/client.ts';
import { listClusterSignatures } from '../store/items.ts';
import { type Fingerprint, fromHex, hamming, toHex } from './simhash.ts';

/** Bits two fingerprints may differ by and still be one story (of 64; unrelated texts differ by ~32). */
export const MAX_DISTANCE = 5;
/** How far back a new item looks for copies. */
export const CLUSTER_WINDOW_MS = 4 * 24 * 3_600_000;

/** Entries kept per band (see add). */
const MAX_BAND = 512;

interface Entry {
  fp: Fingerprint;
  key: string;
  sourceId: number;
}

// Six bands (11 + 11 + 10 bits of each half): two fingerprints within 5 bits (MAX_DISTANCE)
// differ in at most 5 bands, so they share at least one exactly (pigeonhole). Only items sharing
// a band are compared, and a band holds about n / 2048 items.
function bandKeys(f: Fingerprint): number[] {
  return [
    f.hi & 0x7ff,
    4096 + ((f.hi >>> 11) & 0x7ff),
    8192 + (f.hi >>> 22),
    12288 + (f.lo & 0x7ff),
    16384 + ((f.lo >>> 11) & 0x7ff),
    20480 + (f.lo >>> 22),
  ];
}

/** In-memory index of recent items' cluster signals; one per ingest run, updated as items arrive. */
export class ClusterIndex {
  private byUrl = new Map<string, string>();
  private byBand = new Map<number, Entry[]>();

  /** Loads the signatures of items fetched within the window. */
  static async load(db: Db, now: number): Promise<ClusterIndex> {
    const index = new ClusterIndex();
    for (const row of await listClusterSignatures(db, now - CLUSTER_WINDOW_MS)) {
      if (!row.clusterKey) continue;
      index.add(row.sourceId, row.canonicalUrl, fromHex(row.simhash), row.clusterKey);
    }
    return index;
  }

  /** Remembers an item's signals under its cluster key. */
  add(sourceId: number, canonical: string | null, fp: Fingerprint | null, key: string) {
    if (canonical && !this.byUrl.has(canonical)) this.byUrl.set(canonical, key);
    if (fp) {
      for (const band of bandKeys(fp)) {
        let list = this.byBand.get(band);
        if (!list) this.byBand.set(band, (list = []));
        list.push({ fp, key, sourceId });
        // Templated titles ("Deal of the day #512") crowd one band; keeping only the newest
        // entries bounds both memory and the work per item, whatever a feed sends.
        if (list.length > MAX_BAND) list.splice(0, list.length - MAX_BAND / 2);
      }
    }
  }

  /**
   * The cluster key for an item: an existing cluster with the same canonical URL, else one with a
   * near-identical text from another source, else a new key (canonical URL, else fingerprint,
   * else `fallback`). The item is added to the index.
   */
  assign(sourceId: number, canonical: string | null, fp: Fingerprint | null, fallback: string): string {
    let key = canonical ? this.byUrl.get(canonical) : undefined;
    if (!key && fp) key = this.nearest(sourceId, fp);
    key ??= canonical ?? (fp ? `s:${toHex(fp)}` : fallback);
    this.add(sourceId, canonical, fp, key);
    return key;
  }

  private nearest(sourceId: number, fp: Fingerprint): string | undefined {
    let best: Entry | undefined;
    let bestDistance = MAX_DISTANCE + 1;
    for (const band of bandKeys(fp)) {
      for (const e of this.byBand.get(band) ?? []) {
        // Within one source, similar texts are usually distinct posts of a series, not copies.
        if (e.sourceId === sourceId) continue;
        const d = hamming(fp, e.fp);
        if (d < bestDistance) {
          best = e;
          bestDistance = d;
        }
      }
    }
    return best?.key;
  }
}
