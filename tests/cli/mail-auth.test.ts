import { describe, expect, it } from 'vitest';
import {
  evaluateDkim,
  evaluateDmarc,
  evaluateSpf,
  isPublicDomain,
  senderDomain,
} from '../../src/operator/mail-auth.ts';

describe('sender domain', () => {
  it('is read from a From header with or without a display name', () => {
    expect(senderDomain('Sift <News@Example.ORG>')).toBe('example.org');
    expect(senderDomain('news@sift-news.org')).toBe('sift-news.org');
    expect(senderDomain('Sift')).toBeNull();
  });

  it('is public unless it is localhost or a reserved test name', () => {
    expect(isPublicDomain('sift-news.org')).toBe(true);
    for (const d of ['localhost', 'sift.localhost', 'example.org', 'mail.test', 'box.local', 'x.invalid'])
      expect(isPublicDomain(d), d).toBe(false);
  });
});

describe('SPF (RFC 7208)', () => {
  it('passes one record ending in -all or ~all', () => {
    expect(evaluateSpf([['v=spf1 include:_spf.google.com ~all']]).status).toBe('ok');
    expect(evaluateSpf([['v=spf1 ip4:192.0.2.1 ', '-all']]).status).toBe('ok');
  });
  it('fails none, two, or +all; warns about ?all', () => {
    expect(evaluateSpf([['google-site-verification=x']])).toMatchObject({
      status: 'fail',
      detail: /no SPF record/,
    });
    expect(evaluateSpf([['v=spf1 -all'], ['v=spf1 ~all']]).detail).toMatch(/2 SPF records/);
    expect(evaluateSpf([['v=spf1 +all']]).detail).toMatch(/anyone may send/);
    expect(evaluateSpf([['v=spf1 all']]).status).toBe('fail');
    expect(evaluateSpf([['v=spf1 a mx ?all']]).status).toBe('warn');
  });
});

describe('DMARC (RFC 7489)', () => {
  it('passes quarantine or reject, warns about p=none, fails a missing record or policy', () => {
    expect(evaluateDmarc([['v=DMARC1; p=reject; rua=mailto:d@example.org']]).status).toBe('ok');
    expect(evaluateDmarc([['v=DMARC1; p=quarantine']]).status).toBe('ok');
    expect(evaluateDmarc([['v=DMARC1; p=none']]).status).toBe('warn');
    expect(evaluateDmarc([]).detail).toMatch(/Gmail and Yahoo/);
    expect(evaluateDmarc([['v=DMARC1; rua=mailto:d@example.org']]).detail).toMatch(/no policy/);
  });
});

describe('DKIM (RFC 6376)', () => {
  it('passes a published key and fails a revoked or missing one', () => {
    expect(
      evaluateDkim('s1', [['v=DKIM1; k=rsa; p=MIIBIjANBg', 'kqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA']]).status,
    ).toBe('ok');
    expect(evaluateDkim('s1', [['v=DKIM1; p=']]).detail).toMatch(/revoked/);
    expect(evaluateDkim('s1', []).detail).toMatch(/no DKIM key at s1\._domainkey/);
  });
});
