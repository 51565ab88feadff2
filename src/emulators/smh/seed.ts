import type { SmhStore } from './store.js';

/** Library id of the demo library. */
export const DEMO_LIBRARY_ID = 'smhdemo';
/** Secret of the demo library (for token requests). */
export const DEMO_LIBRARY_SECRET = 'smhdemo-secret';
/** The demo library's single-tenant space. */
export const DEMO_SPACE_ID = '-';
/** A second space of the demo library. */
export const DEMO_SECOND_SPACE_ID = 'space-b';
/** The source space of the cross-space item in the API page's example request. */
export const DEMO_EXAMPLE_SPACE_ID = 'spaceNJsnjdiq';

/**
 * The demo library. Its `-` space is laid out so the API page's example request gives the page's
 * example result: `foo/bar` is free (204 under the default `ask`), `bar/1.jpg` exists (renamed to
 * `1 (1).jpg`, 200) and `bar/2.jpg` exists (overwritten, 204).
 */
export function seedDemo(store: SmhStore): void {
  store.createLibrary(DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET);
  const lib = DEMO_LIBRARY_ID;

  store.createSpace(lib, DEMO_SPACE_ID);
  store.putFile(lib, DEMO_SPACE_ID, 'foo/1.jpg', { size: 102_400, etag: 'foo-1' });
  store.putFile(lib, DEMO_SPACE_ID, 'foo/2.jpg', { size: 204_800, etag: 'foo-2' });
  store.putFile(lib, DEMO_SPACE_ID, 'bar/1.jpg', { size: 51_200, etag: 'bar-1' });
  store.putFile(lib, DEMO_SPACE_ID, 'bar/2.jpg', { size: 61_440, etag: 'bar-2' });
  store.putFile(lib, DEMO_SPACE_ID, 'docs/report.final.pdf', { size: 3_000, etag: 'docs-report' });
  store.putFile(lib, DEMO_SPACE_ID, 'docs/Makefile', { size: 300, etag: 'docs-makefile' });
  store.putFile(lib, DEMO_SPACE_ID, 'docs/.env', { size: 30, etag: 'docs-env' });
  store.mkdir(lib, DEMO_SPACE_ID, 'photos', { album: true });
  store.putFile(lib, DEMO_SPACE_ID, 'photos/a.jpg', { size: 9_000, etag: 'photos-a' });

  store.createSpace(lib, DEMO_SECOND_SPACE_ID);
  store.putFile(lib, DEMO_SECOND_SPACE_ID, 'shared/readme.txt', { size: 120, etag: 'b-readme' });

  store.createSpace(lib, DEMO_EXAMPLE_SPACE_ID);
  store.putFile(lib, DEMO_EXAMPLE_SPACE_ID, 'bar/x.jpg', { size: 7_000, etag: 'nj-x' });
  store.putFile(lib, DEMO_EXAMPLE_SPACE_ID, 'bar/sub/y.jpg', { size: 8_000, etag: 'nj-y' });
}
