import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

describe('configuration', () => {
  it('runs with nothing configured', () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(8787);
    expect(c.SIFT_DATA_DIR).toBe('./data');
    expect(c.SIFT_MAILER).toBe('outbox');
    expect(c.baseUrl).toBe('http://localhost:8787');
  });

  it('treats empty values as unset and strips a trailing slash from the base URL', () => {
    const c = parseConfig({ PORT: '', SIFT_BASE_URL: 'https://news.example.org/' });
    expect(c.PORT).toBe(8787);
    expect(c.baseUrl).toBe('https://news.example.org');
  });

  it('names every bad variable with its value', () => {
    expect(() => parseConfig({ PORT: '99999', SIFT_MAILER: 'pigeon' })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: '99999', SIFT_MAILER: 'pigeon' });
    } catch (e) {
      expect((e as Error).message).toContain('PORT="99999"');
      expect((e as Error).message).toContain('SIFT_MAILER="pigeon"');
    }
  });

  it('requires SMTP_URL when the smtp mailer is chosen', () => {
    expect(() => parseConfig({ SIFT_MAILER: 'smtp' })).toThrow(/SMTP_URL: required when SIFT_MAILER=smtp/);
  });

  it('rejects a short secret', () => {
    expect(() => parseConfig({ SIFT_SECRET: 'short' })).toThrow(/SIFT_SECRET.*at least 32/);
  });
});
