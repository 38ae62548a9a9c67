import { describe, expect, it } from 'vitest';
import { addressProblem, checkUrl, isAllowedHost, parseAllowList } from '../../src/ingest/address-policy.ts';
import { createSafeFetch } from '../../src/ingest/node-safe-fetch.ts';
import { startServer } from '../helpers/http.ts';

describe('addressProblem: every non-public range is named', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 is a loopback address'],
    ['127.255.0.9', '127.255.0.9 is a loopback address'],
    ['10.0.0.1', '10.0.0.1 is a private address'],
    ['172.16.5.4', '172.16.5.4 is a private address'],
    ['172.31.255.255', '172.31.255.255 is a private address'],
    ['192.168.1.1', '192.168.1.1 is a private address'],
    ['169.254.169.254', '169.254.169.254 is a link-local address'],
    ['100.64.0.1', '100.64.0.1 is a carrier-grade NAT address'],
    ['100.127.255.254', '100.127.255.254 is a carrier-grade NAT address'],
    ['0.0.0.0', '0.0.0.0 is an unspecified address'],
    ['224.0.0.251', '224.0.0.251 is a multicast address'],
    ['255.255.255.255', '255.255.255.255 is a broadcast address'],
    ['240.0.0.1', '240.0.0.1 is a reserved address'],
    ['::1', '::1 is a loopback address'],
    ['::', ':: is an unspecified address'],
    ['fc00::1', 'fc00::1 is a unique-local (private) address'],
    ['fd12:3456::1', 'fd12:3456::1 is a unique-local (private) address'],
    ['fe80::1%eth0', 'fe80::1%eth0 is a link-local address'],
    ['ff02::1', 'ff02::1 is a multicast address'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1 maps to 127.0.0.1, a loopback address'],
    ['::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe maps to 169.254.169.254, a link-local address'],
    ['::ffff:0:10.1.2.3', '::ffff:0:10.1.2.3 maps to 10.1.2.3, a private address'],
    ['::192.168.0.1', '::192.168.0.1 maps to 192.168.0.1, a private address'],
    ['64:ff9b::7f00:1', '64:ff9b::7f00:1 maps to 127.0.0.1, a loopback address'],
    ['2002:c0a8:101::1', '2002:c0a8:101::1 maps to 192.168.1.1, a private address'],
  ])('%s', (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    'example.com',
  ])('%s is fine', (address) => {
    expect(addressProblem(address)).toBeNull();
  });
});

describe('checkUrl: what may be fetched at all', () => {
  it.each([
    ['http://2130706433/feed', 'refused: 127.0.0.1 is a loopback address'],
    ['http://0x7f.0.0.1/feed', 'refused: 127.0.0.1 is a loopback address'],
    ['http://017700000001/feed', 'refused: 127.0.0.1 is a loopback address'],
    [
      'http://[::ffff:169.254.169.254]/',
      'refused: ::ffff:a9fe:a9fe maps to 169.254.169.254, a link-local address',
    ],
    ['http://localhost/feed', 'refused: localhost is a loopback host name'],
    ['http://feeds.localhost/feed', 'refused: feeds.localhost is a loopback host name'],
    ['ftp://example.com/feed', 'refused: ftp: URLs are not fetched (only http and https)'],
    ['javascript:alert(1)', 'refused: javascript: URLs are not fetched (only http and https)'],
    ['https://user:secret@example.com/feed', 'refused: URLs with a user name or password are not fetched'],
    ['not a url', 'refused: "not a url" is not a valid URL'],
  ])('%s', (url, message) => {
    expect(() => checkUrl(url)).toThrow(message);
  });

  it('lets an allowed host through, by name or name:port only', () => {
    const allow = parseAllowList(' nas.lan, 192.168.1.10 feeds.local:8080,[::1]:9000 ');
    expect(allow).toEqual(['nas.lan', '192.168.1.10', 'feeds.local|8080', '::1|9000']);
    expect(checkUrl('http://192.168.1.10/rss', allow).href).toBe('http://192.168.1.10/rss');
    expect(checkUrl('http://[::1]:9000/rss', allow).host).toBe('[::1]:9000');
    expect(() => checkUrl('http://[::1]:9001/rss', allow)).toThrow('refused: ::1 is a loopback address');
    expect(isAllowedHost(allow, 'feeds.local', '8080')).toBe(true);
    expect(isAllowedHost(allow, 'feeds.local', '80')).toBe(false);
    expect(parseAllowList(undefined)).toEqual([]);
  });
});

describe('createSafeFetch: used as a plain fetch, it follows redirects only to allowed addresses', () => {
  it('refuses a redirect to cloud metadata and stops after 5 hops', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/meta') res.writeHead(302, { location: 'http://169.254.169.254/latest/' });
      else res.writeHead(302, { location: `/hop${Number(req.url!.slice(4) || 0) + 1}` });
      res.end();
    });
    const safeFetch = createSafeFetch({
      allowPrivateHosts: parseAllowList(`127.0.0.1:${new URL(server.url).port}`),
    });
    await expect(safeFetch(`${server.url}/meta`)).rejects.toThrow(
      'refused: 169.254.169.254 is a link-local address',
    );
    await expect(safeFetch(`${server.url}/hop0`)).rejects.toThrow(
      'refused: too many redirects (more than 5)',
    );
    const manual = await safeFetch(`${server.url}/meta`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    await server.close();
  });
});
