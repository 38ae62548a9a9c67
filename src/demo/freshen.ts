const RFC822 = /(<pubDate>)([^<]+)(<\/pubDate>)/g;
const ISO = /(<(?:updated|published)>)([^<]+)(<\/(?:updated|published)>)/g;

/**
 * Shifts every date in a bundled demo feed so its newest entry is `now`, keeping the gaps
 * between entries. Demo content is timeless: without this it would age out of every
 * freshness window a few days after a release.
 */
export function freshenDemoFeed(xml: string, now: number): string {
  const dates: number[] = [];
  for (const re of [RFC822, ISO]) for (const m of xml.matchAll(re)) dates.push(Date.parse(m[2]!));
  const valid = dates.filter((d) => !Number.isNaN(d));
  if (valid.length === 0) return xml;
  const shift = now - Math.max(...valid);
  const move = (d: string) => new Date(Date.parse(d) + shift);
  return xml
    .replace(RFC822, (_, a, d, b) => `${a}${move(d).toUTCString()}${b}`)
    .replace(ISO, (_, a, d, b) => `${a}${move(d).toISOString()}${b}`);
}
