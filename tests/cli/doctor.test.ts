import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/deps.ts';
import { startServer } from '../helpers/http.ts';
import { startDnsServer } from './dns-server.ts';
import { sift } from './run.ts';

type Report = { ok: boolean; checks: { name: string; status: string; detail: string }[] };
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!;

function env(extra: Record<string, string>) {
  return { SIFT_DATA_DIR: tempDir('sift-doctor-'), SIFT_DEMO: 'off', LOG_LEVEL: 'warn', ...extra };
}

describe('sift doctor, online checks against local stand-ins', { timeout: 300_000 }, () => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  beforeAll(async () => {
    dns = await startDnsServer({
      'good.org': ['v=spf1 include:_spf.mailhost.net -all', 'some-verification=abc'],
      '_dmarc.good.org': ['v=DMARC1; p=quarantine; rua=mailto:dmarc@good.org'],
      's1._domainkey.good.org': ['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq'],
      'weak.org': ['v=spf1 +all'],
      '_dmarc.weak.org': ['v=DMARC1; p=none'],
    });
  });
  afterAll(() => dns.close());

  it('passes a domain with SPF, DKIM (configured selector) and an enforcing DMARC policy', async () => {
    const res = await sift(
      ['doctor', '--json', '--dns-server', dns.server],
      env({ SIFT_MAIL_FROM: 'Sift <news@good.org>', SIFT_DKIM_SELECTOR: 's1' }),
    );
    const report = JSON.parse(res.stdout) as Report;
    expect(check(report, 'spf')).toMatchObject({
      status: 'ok',
      detail: 'v=spf1 include:_spf.mailhost.net -all',
    });
    expect(check(report, 'dkim')).toMatchObject({ status: 'ok', detail: 'key published for selector s1' });
    expect(check(report, 'dmarc').status).toBe('ok');
    expect(res.code).toBe(0);
  });

  it('finds a DKIM key under a common selector when none is configured', async () => {
    const res = await sift(
      ['doctor', '--json', '--dns-server', dns.server],
      env({ SIFT_MAIL_FROM: 'news@good.org' }),
    );
    expect(check(JSON.parse(res.stdout), 'dkim').detail).toBe('key published for selector s1');
  });

  it('fails +all and a missing DKIM key, warns about p=none, and exits 1', async () => {
    const res = await sift(
      ['doctor', '--dns-server', dns.server],
      env({ SIFT_MAIL_FROM: 'news@weak.org', SIFT_DKIM_SELECTOR: 'k9' }),
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/FAIL {2}spf +"v=spf1 \+all" ends in \+all: anyone may send/);
    expect(res.stdout).toMatch(/FAIL {2}dkim +no DKIM key at k9\._domainkey/);
    expect(res.stdout).toMatch(/warn {2}dmarc +.*p=none only monitors/);
    expect(res.stdout).toMatch(/2 checks failed/);
  });

  it('fails a domain without any records (no SPF, no DMARC)', async () => {
    const res = await sift(
      ['doctor', '--json', '--dns-server', dns.server],
      env({ SIFT_MAIL_FROM: 'news@nothing.org' }),
    );
    const report = JSON.parse(res.stdout) as Report;
    expect(check(report, 'spf').detail).toMatch(/no SPF record/);
    expect(check(report, 'dmarc').detail).toMatch(/no DMARC record/);
    expect(check(report, 'dkim').status).toBe('warn');
    expect(res.code).toBe(1);
  });

  it('--offline skips the DNS checks and says so', async () => {
    const res = await sift(['doctor', '--offline'], env({ SIFT_MAIL_FROM: 'news@good.org' }));
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/skip {2}spf +skipped: offline \(--offline\)/);
  });
});

describe('sift doctor, mail transports', { timeout: 300_000 }, () => {
  it('says an SMTP server that accepts the connection and the login is ok', async () => {
    const smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, cb) =>
        auth.username === 'sift' && auth.password === 'pw'
          ? cb(null, { user: 'sift' })
          : cb(new Error('bad login')),
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as { port: number }).port;
    try {
      const ok = await sift(
        ['doctor', '--json', '--offline'],
        env({ SIFT_MAILER: 'smtp', SMTP_URL: `smtp://sift:pw@127.0.0.1:${port}` }),
      );
      expect(check(JSON.parse(ok.stdout), 'mail')).toMatchObject({
        status: 'ok',
        detail: `SMTP 127.0.0.1:${port} accepted the connection and the login`,
      });
      const bad = await sift(
        ['doctor', '--json', '--offline'],
        env({ SIFT_MAILER: 'smtp', SMTP_URL: `smtp://sift:wrong@127.0.0.1:${port}` }),
      );
      expect(bad.code).toBe(1);
      expect(check(JSON.parse(bad.stdout), 'mail').status).toBe('fail');
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it('checks the http provider key and whether the sender domain is verified there', async () => {
    const api = await startServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer re_good_key';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok ? { data: [{ name: 'good.org', status: 'verified' }] } : { message: 'invalid key' },
        ),
      );
    });
    try {
      const base = { SIFT_MAILER: 'http', SIFT_HTTP_API_URL: api.url, SIFT_MAIL_FROM: 'news@good.org' };
      const ok = await sift(
        ['doctor', '--json', '--offline'],
        env({ ...base, SIFT_HTTP_API_KEY: 're_good_key' }),
      );
      expect(check(JSON.parse(ok.stdout), 'mail')).toMatchObject({
        status: 'ok',
        detail: 'resend accepted the key; good.org is verified',
      });
      const bad = await sift(
        ['doctor', '--json', '--offline'],
        env({ ...base, SIFT_HTTP_API_KEY: 're_bad_key' }),
      );
      expect(bad.code).toBe(1);
      expect(check(JSON.parse(bad.stdout), 'mail').detail).toBe(
        'resend refused SIFT_HTTP_API_KEY (HTTP 401)',
      );
    } finally {
      await api.close();
    }
  });
});
