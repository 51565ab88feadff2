import { readFileSync } from 'node:fs';

/**
 * The `User-Agent` every upstream call carries: `copy-gateway/<version>`, the version from the
 * project's package.json (read once; `src/` and `dist/` both sit two levels below it), so an
 * upstream's logs and support can tell which gateway build called.
 */
export const USER_AGENT = `copy-gateway/${packageVersion()}`;

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' && manifest.version !== '' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
