// Node-only: a fetch whose connections can only reach public addresses. Node's global fetch has no
// connect hook, so this uses undici directly with an Agent whose connector resolves the name once,
// checks every address, and connects to exactly the address it checked (no second lookup, so DNS
// rebinding cannot swap in 127.0.0.1 between check and connect). Injected via Deps.fetch from
// src/entry/node-deps.ts; Workers never import this file.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import {
  addressProblem,
  checkUrl,
  type HostAllowList,
  isAllowedHost,
  RefusedError,
} from './address-policy.ts';

/** Settings of the guarded fetch. */
export interface SafeFetchOptions {
  /** Hosts (or host:port) the operator allows even though they resolve to private addresses. */
  allowPrivateHosts?: HostAllowList;
  /** TCP + TLS connect timeout; issue 3 asks for 10 s. */
  connectTimeoutMs?: number;
  /** Redirects followed when the caller does not ask for `redirect: 'manual'`. */
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), e.g. a test CA; operators can use NODE_EXTRA_CA_CERTS. */
  ca?: string[];
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net.connect that refuses names resolving to any non-public address. */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: LookupCallback,
) {
  dnsLookup(hostname, { all: true, family: options.family ?? 0, order: 'ipv4first' }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0)
      return callback(Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' }), []);
    for (const a of addresses) {
      const problem = addressProblem(a.address);
      // Refuse if ANY answer is private: picking the public one would still let a later
      // connection attempt (happy eyeballs) fall back to the private one.
      if (problem)
        return callback(new RefusedError(`${hostname} resolves to ${problem.replace(' is ', ', ')}`), []);
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * Creates a fetch for user-supplied URLs: http(s) only, public addresses only (unless the host is
 * allow-listed), every redirect hop re-checked, at most `maxRedirects` hops.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): typeof fetch {
  const allow = options.allowPrivateHosts ?? [];
  const timeout = options.connectTimeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 5;
  // Node's default CAs plus any extra ones (giving `ca` alone would replace the defaults).
  const ca = options.ca ? [...rootCertificates, ...options.ca] : undefined;
  const guarded = buildConnector({ timeout, ca, lookup: guardedLookup } as buildConnector.BuildOptions);
  const open = buildConnector({ timeout, ca } as buildConnector.BuildOptions);
  const agent = new Agent({
    connect(opts, callback) {
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
      if (isAllowedHost(allow, host, port)) return open(opts, callback);
      // net.connect skips `lookup` for IP literals, so they are checked here as well.
      if (isIP(host)) {
        const problem = addressProblem(host);
        if (problem) return callback(new RefusedError(problem), null);
      }
      return guarded(opts, callback);
    },
    // Keep-alive sockets are per origin and were checked when opened.
    connections: 16,
  });

  const safeFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const manual = init.redirect === 'manual';
    let url = checkUrl(input instanceof Request ? input.url : input, allow);
    for (let hop = 0; ; hop++) {
      const res = (await undiciFetch(url.href, {
        ...(init as object),
        redirect: 'manual',
        dispatcher: agent,
      } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
      const location = res.headers.get('location');
      if (manual || res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res;
      await res.body?.cancel().catch(() => {});
      if (init.redirect === 'error')
        throw new TypeError(`redirect to ${location} refused (redirect: 'error')`);
      if (hop >= maxRedirects) throw new RefusedError(`too many redirects (more than ${maxRedirects})`);
      url = checkUrl(new URL(location, url), allow);
    }
  };
  return safeFetch as typeof fetch;
}
