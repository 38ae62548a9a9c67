// Which URLs and addresses Sift may fetch. Pure (no node: imports) so Workers use the same rules.
// Sources are typed in by operators and, later, subscribers: without these checks a feed URL (or
// a redirect, or a DNS answer) could make Sift read cloud metadata or services on the LAN.

/** A fetch refused before connecting; the message says why ("refused: 10.0.0.1 is a private address"). */
export class RefusedError extends Error {
  constructor(message: string) {
    super(`refused: ${message}`);
    this.name = 'RefusedError';
  }
}

/** Hosts the operator allowed despite private addresses: `name` or `name:port`, lower case. */
export type HostAllowList = readonly string[];

/** Parses SIFT_ALLOW_PRIVATE_HOSTS ("nas.lan, 192.168.1.10, feeds.local:8080") into an allow list. */
export function parseAllowList(value: string | undefined | null): HostAllowList {
  return (value ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map(normalizeEntry);
}

function normalizeEntry(entry: string): string {
  // "[::1]:8080" → "::1|8080"; "::1" → "::1"; "host:80" → "host|80".
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return bracket[2] ? `${bracket[1]}|${bracket[2]}` : bracket[1]!;
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = entry.split(':');
    return `${host}|${port}`;
  }
  return entry;
}

/** True when `hostname` (optionally on `port`) was allowed by the operator. */
export function isAllowedHost(allow: HostAllowList, hostname: string, port?: string | number): boolean {
  if (allow.length === 0) return false;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allow.includes(host) || (port !== undefined && port !== '' && allow.includes(`${host}|${port}`));
}

/** The port a URL connects to, with the scheme's default filled in. */
export function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/**
 * Checks a URL before any connection: http(s) only, no credentials, and a literal IP host must
 * be public unless the operator allowed that host. Returns the parsed URL.
 */
export function checkUrl(input: string | URL, allow: HostAllowList = []): URL {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input.trim()) : input;
  } catch {
    throw new RefusedError(`${JSON.stringify(String(input).slice(0, 200))} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RefusedError(`${url.protocol} URLs are not fetched (only http and https)`);
  if (url.username || url.password)
    throw new RefusedError('URLs with a user name or password are not fetched');
  if (!url.hostname) throw new RefusedError('the URL has no host');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isAllowedHost(allow, host, effectivePort(url))) return url;
  if (host === 'localhost' || host.endsWith('.localhost'))
    throw new RefusedError(`${host} is a loopback host name`);
  const reason = addressProblem(host);
  if (reason) throw new RefusedError(reason);
  return url;
}

/**
 * Why an address must not be fetched ("10.0.0.1 is a private address"), or null when it is a
 * public address or not an IP literal at all.
 */
export function addressProblem(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) {
    const kind = classifyIPv4(v4);
    return kind ? `${address} is ${kind}` : null;
  }
  const v6 = parseIPv6(address);
  if (v6 === null) return null;
  const kind = classifyIPv6(v6);
  if (!kind) return null;
  if (typeof kind === 'string') return `${address} is ${kind}`;
  return `${address} maps to ${kind.v4}, ${kind.kind}`;
}

function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'an unspecified address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a reserved address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a reserved address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
const V4_TABLE = V4_RANGES.map(([base, bits, kind]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (parseIPv4(base)! & mask) >>> 0, mask, kind };
});

function classifyIPv4(ip: number): string | null {
  if (ip === 0xffffffff) return 'a broadcast address';
  for (const r of V4_TABLE) if ((ip & r.mask) >>> 0 === r.net) return r.kind;
  return null;
}

function formatIPv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** Eight 16-bit groups, or null. Accepts embedded dotted IPv4 ("::ffff:127.0.0.1") and zone ids. */
function parseIPv6(input: string): number[] | null {
  let s = input.replace(/%.*$/, '').toLowerCase();
  if (!s.includes(':') || !/^[0-9a-f:.]+$/.test(s)) return null;
  // Rewrite an embedded dotted IPv4 tail as two hex groups, then parse uniformly.
  const dotted = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (dotted) {
    const v4 = parseIPv4(dotted[1]!);
    if (v4 === null) return null;
    s = `${s.slice(0, -dotted[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...rest];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - all.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [
    ...head.map((g) => Number.parseInt(g, 16)),
    ...Array(halves.length === 2 ? missing : 0).fill(0),
    ...rest.map((g) => Number.parseInt(g, 16)),
  ];
}

function classifyIPv6(g: number[]): string | { v4: string; kind: string } | null {
  const v4At = (hi: number, lo: number) => ((g[hi]! << 16) >>> 0) + g[lo]!;
  const embedded = (ip: number) => {
    const kind = classifyIPv4(ip);
    return kind ? { v4: formatIPv4(ip), kind } : null;
  };
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'an unspecified address';
  if (zeroUpTo(7) && g[7] === 1) return 'a loopback address';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and IPv4-compatible (::a.b.c.d).
  if (zeroUpTo(5) && g[5] === 0xffff) return embedded(v4At(6, 7));
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return embedded(v4At(6, 7));
  if (zeroUpTo(6)) return embedded(v4At(6, 7));
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address a gateway will connect to.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(v4At(6, 7));
  if (g[0] === 0x2002) return embedded(v4At(1, 2));
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'a unique-local (private) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xffc0) === 0xfec0) return 'a site-local (private) address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  if (first === 0x2001 && g[1] === 0x0db8) return 'a documentation address';
  if (first === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return 'a discard-only address';
  return null;
}
