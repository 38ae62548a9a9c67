import { describe, expect, it } from 'vitest';
import { shownDatabaseUrl } from '../../src/cli/context.ts';

describe('shownDatabaseUrl (doctor and backup print it)', () => {
  it('hides user:password@ and leaves other URLs as they are', () => {
    expect(shownDatabaseUrl('libsql://admin:s3cret@db.example.org/sift')).toBe(
      'libsql://…@db.example.org/sift',
    );
    expect(shownDatabaseUrl('libsql://db.example.org')).toBe('libsql://db.example.org');
    expect(shownDatabaseUrl('file:/var/lib/sift/sift.db')).toBe('file:/var/lib/sift/sift.db');
  });

  it('hides an authToken query parameter too', () => {
    expect(shownDatabaseUrl('libsql://db.example.org?authToken=eyJ.secret&tls=1')).toBe(
      'libsql://db.example.org?authToken=…&tls=1',
    );
  });
});
