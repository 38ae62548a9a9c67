import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { SHARED_LITERAL } from '../../scripts/build-templates.ts';
import {
  bytesToString,
  compileSlots,
  escapeHtml,
  expandSource,
  fillBytes,
  fillChunks,
  fillTemplate,
  htmlBytes,
  memoInputs,
  memoKey,
  PreparedTemplate,
  prepareTemplate,
} from '../../src/render/slots.ts';
import { compileTemplate } from './compile-template.ts';

const tpl = (html: string) => prepareTemplate('t', compileTemplate(html));

describe('slots: compile and fill', () => {
  it('escapes every value exactly like escapeHtml + UTF-8, for any text (emoji, lone surrogates, markup)', () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(Buffer.from(htmlBytes(s)).equals(Buffer.from(enc.encode(escapeHtml(s))))).toBe(true);
        expect(fillTemplate(tpl('<p title="{{v}}">{{v}}</p>'), { v: s })).toBe(
          `<p title="${escapeHtml(s)}">${escapeHtml(s)}</p>`,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('repeats each-blocks per entry, keeps if-blocks only when set, and reads outer values inside blocks', () => {
    const t = tpl(
      '<h1>{{title}}</h1><!--sift:each rows--><li>{{name}} of {{title}}<!--sift:if note--> ({{note}})<!--sift:end note--></li><!--sift:end rows--><!--sift:if empty-->none<!--sift:end empty-->',
    );
    expect(
      fillTemplate(t, {
        title: 'A&B',
        rows: [
          { name: 'x', note: 'n' },
          { name: 'y', note: '' },
        ],
        empty: false,
      }),
    ).toBe('<h1>A&amp;B</h1><li>x of A&amp;B (n)</li><li>y of A&amp;B</li>');
    expect(fillTemplate(t, { title: 't', rows: [], empty: true })).toBe('<h1>t</h1>none');
  });

  it('fills a memo block under a key that is not a MemoKey every time: never stale bytes', () => {
    const t = tpl(
      '<!--sift:each xs--><li><!--sift:memo id--><b>{{title}}</b><!--sift:if n--> {{n}}<!--sift:end n--><!--sift:end id--> {{who}}</li><!--sift:end xs-->',
    );
    const id = htmlBytes('7');
    const fill = (title: string, n: string, who: string) => fillTemplate(t, { xs: [{ id, title, n, who }] });
    expect(fill('A & B', '', 'ann')).toBe('<li><b>A &amp; B</b> ann</li>');
    expect(fill('A & B', '', 'bob')).toBe('<li><b>A &amp; B</b> bob</li>');
    // Same key, changed content: filled again, never the stale bytes.
    expect(fill('A & C', '', 'bob')).toBe('<li><b>A &amp; C</b> bob</li>');
    expect(fill('A & C', '3', 'bob')).toBe('<li><b>A &amp; C</b> 3 bob</li>');
    expect(() =>
      compileSlots('<!--sift:memo k--><!--sift:each x--><!--sift:end x--><!--sift:end k-->'),
    ).not.toThrow();
    expect(() =>
      compileTemplate('<!--sift:memo k--><!--sift:each x--><!--sift:end x--><!--sift:end k-->'),
    ).toThrow(/each block cannot sit inside memo/);
  });

  it('reuses a memo block under a MemoKey by index; its owner takes a new key when values change', () => {
    const t = tpl(
      '<p>{{who}}</p><!--sift:each xs--><li><!--sift:memo id--><b>{{title}}</b><!--sift:end id--> {{who}}</li><!--sift:end xs-->',
    );
    expect([...memoInputs(t)].sort()).toEqual(['id', 'title']);
    const key = memoKey('7');
    expect(fillTemplate(t, { who: 'ann', xs: [{ id: key, title: 'A & B' }] })).toBe(
      '<p>ann</p><li><b>A &amp; B</b> ann</li>',
    );
    // Same key: the cached bytes stand, whatever the title says (the key's owner vouches for it).
    expect(fillTemplate(t, { who: 'bob', xs: [{ id: key, title: 'ignored' }] })).toBe(
      '<p>bob</p><li><b>A &amp; B</b> bob</li>',
    );
    expect(fillTemplate(t, { who: 'bob', xs: [{ id: memoKey('7'), title: 'C' }] })).toBe(
      '<p>bob</p><li><b>C</b> bob</li>',
    );
  });

  it('writes the text around an if block whether or not the block is kept', () => {
    const t = tpl(
      '<a>{{x}}<b><!--sift:if y-->[{{y}}]<!--sift:end y--></b><c><!--sift:if z-->z<!--sift:end z--></c>',
    );
    expect(fillTemplate(t, { x: '1', y: '2', z: true })).toBe('<a>1<b>[2]</b><c>z</c>');
    expect(fillTemplate(t, { x: '1', y: '', z: false })).toBe('<a>1<b></b><c></c>');
  });

  it('fills the same bytes where there is no Buffer (Workers without nodejs_compat)', async () => {
    const saved = globalThis.Buffer;
    vi.resetModules();
    let plain: typeof import('../../src/render/slots.ts');
    try {
      // The fill picks its encoder when loaded: load a copy with Buffer gone.
      Reflect.deleteProperty(globalThis, 'Buffer');
      plain = await import('../../src/render/slots.ts');
    } finally {
      globalThis.Buffer = saved;
    }
    const src = '<p title="{{v}}">{{v}}</p><!--sift:each xs--><i>{{b}}</i><!--sift:end xs-->';
    const a = plain.prepareTemplate('t', compileTemplate(src));
    const b = tpl(src);
    expect(a).not.toBeInstanceOf(PreparedTemplate);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const data = { v: s, xs: [{ b: s }, { b: htmlBytes(s) }] };
        const ours = plain.fillBytes(a, data);
        expect(ours).not.toBeInstanceOf(saved);
        expect(Buffer.from(ours).equals(Buffer.from(fillBytes(b, data)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('folds constant text into memo blocks, except long text, which stays one segment shared by every key', () => {
    const long = 'x'.repeat(SHARED_LITERAL + 1);
    const t = tpl(`${long}<!--sift:memo id--><b>{{v}}<!--sift:end id--></b><i>`);
    const parts = (v: string) => fillChunks(t, { id: memoKey(v), v }).chunks.map((c) => bytesToString(c));
    expect(parts('1')).toEqual([long, '<b>1</b><i>']);
    expect(parts('2')).toEqual([long, '<b>2</b><i>']);
  });

  it('grows the output for an email larger than the last one, and lists the segments it wrote', () => {
    const t = tpl('<p>{{v}}</p><!--sift:each xs--><i>{{b}}</i><!--sift:end xs-->');
    expect(fillTemplate(t, { v: 'a', xs: [] })).toBe('<p>a</p>');
    const big = 'x&'.repeat(50_000);
    const data = { v: big, xs: [{ b: '<' }, { b: htmlBytes('é') }] };
    const html = `<p>${escapeHtml(big)}</p><i>&lt;</i><i>é</i>`;
    expect(fillTemplate(t, data)).toBe(html);
    const { chunks, size } = fillChunks(t, data);
    expect(size).toBe(Buffer.byteLength(html));
    expect(Buffer.concat(chunks).toString()).toBe(html);
  });

  it('takes pre-escaped bytes as they are', () => {
    expect(fillTemplate(tpl('<b>{{v}}</b>'), { v: htmlBytes('<i>') })).toBe('<b>&lt;i&gt;</b>');
  });

  it('names the slot when a value is missing, and rejects unbalanced blocks at build time', () => {
    expect(() => fillBytes(tpl('<a href="{{url}}">'), {})).toThrow(
      /template 't' has no value for slot 'url'/,
    );
    expect(() => compileSlots('<!--sift:each a-->x')).toThrow(/block 'a' is never closed/);
    expect(() => compileSlots('x<!--sift:end a-->')).toThrow(/closes no open block/);
  });

  it('writes every fill into one reused output: bytes stay valid until the next fill, a copy keeps them', () => {
    const t = tpl('<p>{{v}}</p>');
    const first = fillBytes(t, { v: 'first' });
    const kept = new Uint8Array(first);
    const second = fillBytes(t, { v: 'other' });
    // No fresh buffer per email: the second fill wrote over the first one's memory.
    expect(second.buffer).toBe(first.buffer);
    expect(bytesToString(first)).toBe('<p>other</p>');
    expect(bytesToString(kept)).toBe('<p>first</p>');
    expect(bytesToString(second)).toBe('<p>other</p>');
    // An email that outgrew the output is written whole, and a huge output is not kept.
    const huge = 'x'.repeat(2 << 20);
    const big = fillBytes(t, { v: huge });
    expect(big.length).toBe(huge.length + 7);
    expect(bytesToString(big.subarray(big.length - 6))).toBe('xx</p>');
    expect(fillBytes(t, { v: 'small' }).buffer).not.toBe(big.buffer);
  });

  it('expandSource (the naive reference) gives the same text as the fill', () => {
    const src = '<p>{{a}}</p><!--sift:each xs--><i>{{b}}</i><!--sift:end xs-->';
    const data = { a: '"q"', xs: [{ b: '1<2' }, { b: htmlBytes('é') }] };
    expect(expandSource(src, data)).toBe(bytesToString(fillBytes(tpl(src), data)));
  });
});
