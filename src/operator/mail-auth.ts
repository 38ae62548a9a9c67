/**
 * Sender-domain authentication checks for `sift doctor` (pure): reading SPF (RFC 7208), DKIM
 * (RFC 6376) and DMARC (RFC 7489) TXT records. Gmail and Yahoo require SPF and DKIM for all
 * senders and DMARC for bulk senders (5,000+ messages a day) since February 2024.
 */

/** One check's verdict. */
export interface Verdict {
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

/** The domain of a From address: "Sift <news@example.org>" → "example.org". */
export function senderDomain(from: string): string | null {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return m ? m[1]!.toLowerCase().replace(/\.$/, '') : null;
}

/** Whether a domain can have public DNS (not localhost or a reserved test name, RFC 2606/6761). */
export function isPublicDomain(domain: string): boolean {
  if (!domain.includes('.')) return false;
  return !/(^|\.)(localhost|local|test|example|invalid|internal|lan|home\.arpa|example\.(com|net|org))$/i.test(
    domain,
  );
}

const join = (chunks: string[][]) => chunks.map((c) => c.join(''));

/** SPF: exactly one v=spf1 record, ending in ~all or -all. */
export function evaluateSpf(txt: string[][]): Verdict {
  const records = join(txt).filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
  if (records.length === 0)
    return { status: 'fail', detail: 'no SPF record: publish a TXT "v=spf1 include:<your provider> -all"' };
  if (records.length > 1)
    return {
      status: 'fail',
      detail: `${records.length} SPF records: receivers treat that as an error; merge them into one`,
    };
  const record = records[0]!.trim();
  const all = /\s([-~?+]?)all\s*$/i.exec(record);
  if (!all) return { status: 'warn', detail: `"${record}" has no final "all" term (add ~all or -all)` };
  const q = all[1] || '+';
  if (q === '+')
    return { status: 'fail', detail: `"${record}" ends in +all: anyone may send as this domain` };
  if (q === '?') return { status: 'warn', detail: `"${record}" ends in ?all (neutral): prefer ~all or -all` };
  return { status: 'ok', detail: record };
}

/** DMARC: a v=DMARC1 record at _dmarc; p=none only monitors. */
export function evaluateDmarc(txt: string[][]): Verdict {
  const records = join(txt).filter((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim()));
  if (records.length === 0)
    return {
      status: 'fail',
      detail:
        'no DMARC record at _dmarc: Gmail and Yahoo require one from bulk senders (e.g. "v=DMARC1; p=none; rua=mailto:…")',
    };
  if (records.length > 1)
    return { status: 'fail', detail: `${records.length} DMARC records: there must be exactly one` };
  const record = records[0]!.trim();
  const tags = Object.fromEntries(
    record
      .split(';')
      .map((t) => t.trim().split('='))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k!.trim().toLowerCase(), v!.trim().toLowerCase()]),
  );
  if (!tags.p) return { status: 'fail', detail: `"${record}" has no policy (p=)` };
  if (tags.p === 'none')
    return {
      status: 'warn',
      detail: `"${record}": p=none only monitors; move to quarantine or reject once reports look clean`,
    };
  return { status: 'ok', detail: record };
}

/** DKIM: a key record (v=DKIM1 or p=…) with a non-empty public key. */
export function evaluateDkim(selector: string, txt: string[][]): Verdict {
  const record = join(txt).find((r) => /(^|;)\s*(v=DKIM1|p=)/i.test(r));
  if (!record) return { status: 'fail', detail: `no DKIM key at ${selector}._domainkey` };
  if (/(^|;)\s*p=\s*(;|$)/i.test(record))
    return { status: 'fail', detail: `the DKIM key at ${selector}._domainkey is revoked (empty p=)` };
  return { status: 'ok', detail: `key published for selector ${selector}` };
}

/** Selectors tried when SIFT_DKIM_SELECTOR is not set (common provider defaults). */
export const COMMON_DKIM_SELECTORS = [
  'sift',
  'default',
  'mail',
  'dkim',
  's1',
  's2',
  'k1',
  'selector1',
  'selector2',
  'google',
  'mta',
];
