import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../src/ingest/address-policy.ts';
import { fetchFeed } from '../../src/ingest/fetch-feed.ts';
import { createSafeFetch } from '../../src/ingest/node-safe-fetch.ts';
import { tempDir } from '../helpers/deps.ts';

const feed = readFileSync(new URL('../fixtures/feeds/hockey-news.rss', import.meta.url));

/** Runs openssl in `dir`; the certificates are made per run, so no key is kept in the repository. */
function openssl(dir: string, args: string[]) {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.error}`);
}

async function serve(key: string, cert: string): Promise<{ server: Server; url: string }> {
  const server = createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(feed);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/feed` };
}

describe('TLS failures are named for the operator', () => {
  const dir = tempDir();
  let key: string;
  let selfSigned: string;
  let expired: string;
  const servers: Server[] = [];

  beforeAll(() => {
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'ca.pem',
      '-days',
      '3',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    openssl(dir, ['req', '-new', '-key', 'key.pem', '-out', 'req.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n',
    );
    // Signed by the CA above, valid only in January 2020.
    openssl(dir, [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-keyfile',
      'key.pem',
      '-cert',
      'ca.pem',
      '-in',
      'req.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '200101000000Z',
      '-enddate',
      '200102000000Z',
    ]);
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    selfSigned = readFileSync(join(dir, 'ca.pem'), 'utf8');
    expired = readFileSync(join(dir, 'expired.pem'), 'utf8');
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });

  const fetchWith = (url: string, ca?: string[]) =>
    fetchFeed(url, {
      fetch: createSafeFetch({ allowPrivateHosts: parseAllowList(new URL(url).host), ca }),
      userAgent: 'test',
      allowPrivateHosts: parseAllowList(new URL(url).host),
    });

  it('a self-signed certificate', async () => {
    const { server, url } = await serve(key, selfSigned);
    servers.push(server);
    await expect(fetchWith(url)).rejects.toThrow('ingest: TLS certificate is self-signed');
    // Trusted explicitly, the same server works.
    await expect(fetchWith(url, [selfSigned])).resolves.toMatchObject({ status: 'ok' });
  });

  it('an expired certificate from a trusted issuer', async () => {
    const { server, url } = await serve(key, expired);
    servers.push(server);
    await expect(fetchWith(url, [selfSigned])).rejects.toThrow('ingest: TLS certificate expired');
  });

  it('plain http spoken to an https URL', async () => {
    const { createServer: createHttp } = await import('node:http');
    const plain = createHttp((_req, res) => res.end('hi'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(plain.address() as AddressInfo).port}/feed`;
    await expect(fetchWith(url)).rejects.toThrow('ingest: TLS handshake failed (is this an http:// site?)');
    plain.close();
  });
});
