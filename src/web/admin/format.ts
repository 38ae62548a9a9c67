/** Small display helpers for the dashboard (pure). */

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
];

/** "3 h ago", "in 12 min", "just now"; "—" for null. */
export function relativeTime(at: number | null, now: number): string {
  if (at === null) return '—';
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return diff < 0 ? 'just now' : 'in under a minute';
  const [unit, label] = UNITS.find(([u]) => abs >= u)!;
  const n = Math.floor(abs / unit);
  return diff < 0 ? `${n} ${label} ago` : `in ${n} ${label}`;
}

/** ISO timestamp to the minute, UTC, for tooltips and tables; "" for null. */
export function isoMinute(at: number | null): string {
  return at === null ? '' : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
