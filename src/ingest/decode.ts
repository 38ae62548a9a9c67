// Decoder: bytes → text, choosing the character encoding the way feed readers must in practice.
// Order: byte-order mark, then the HTTP charset, then the XML prolog / JSON (always UTF-8), then
// UTF-8. Servers often send a default charset that is wrong, so a declared UTF-8 that is not valid
// UTF-8 falls back to Windows-1252 (the superset of ISO-8859-1 every browser uses for it), and a
// legacy HTTP charset loses to a prolog saying UTF-8 when the bytes are valid UTF-8.

/** The text of a document and the encoding it was decoded with. */
export interface Decoded {
  text: string;
  encoding: string;
}

/** Decodes a fetched (or local) feed body. */
export function decodeBody(bytes: Uint8Array, contentType?: string | null): Decoded {
  const bom = sniffBom(bytes);
  if (bom) return { text: decodeWith(bom.encoding, bytes.subarray(bom.length)), encoding: bom.encoding };
  const header = normalizeLabel(/charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1]);
  const head = latin1(bytes.subarray(0, 512));
  const prolog = normalizeLabel(/^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1]);
  const validUtf8 = isValidUtf8(bytes);
  let encoding = header ?? prolog ?? 'utf-8';
  if (encoding !== 'utf-8' && header && prolog === 'utf-8' && validUtf8) encoding = 'utf-8';
  if (encoding === 'utf-8' && !validUtf8) encoding = prolog && prolog !== 'utf-8' ? prolog : 'windows-1252';
  return { text: decodeWith(encoding, bytes), encoding };
}

function sniffBom(b: Uint8Array): { encoding: string; length: number } | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return null;
}

function normalizeLabel(label: string | undefined): string | null {
  if (!label) return null;
  const l = label.toLowerCase();
  if (l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  // Per the WHATWG Encoding standard, ASCII and Latin-1 labels mean Windows-1252.
  if (/^(us-ascii|ascii|iso-8859-1|iso8859-1|latin1|l1|cp1252|windows-1252|iso_8859-1|x-cp1252)$/.test(l))
    return 'windows-1252';
  return l;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function decodeWith(encoding: string, bytes: Uint8Array): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  try {
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    // An unknown label (or a runtime without that table): UTF-8 with replacement characters
    // keeps the feed readable instead of failing it.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

// Windows-1252 0x80–0x9F; the rest of the range maps to the same code point (Latin-1).
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** Windows-1252 without relying on the runtime's TextDecoder tables (workerd ships only a few). */
function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const codes = Array.from(bytes.subarray(i, i + CHUNK), (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b,
    );
    out += String.fromCharCode(...codes);
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
