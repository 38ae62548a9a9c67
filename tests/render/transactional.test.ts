import { describe, expect, it } from 'vitest';
import { renderTransactional } from '../../src/render/transactional.ts';

describe('transactional emails', () => {
  it('carry the action link in both parts, escaped in HTML', () => {
    const url = 'https://sift.test/confirm/abc?x=1&y=2';
    const email = renderTransactional('confirm', { actionUrl: url });
    expect(email.subject).toMatch(/confirm/i);
    expect(email.html).toContain('href="https://sift.test/confirm/abc?x=1&amp;y=2"');
    expect(email.text).toContain(url);
  });
});
