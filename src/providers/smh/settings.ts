import type { EnvReader } from '../../env.js';
import { readMaxCallsPerSecond } from '../kit/rate-limits.js';
import type { SettingsReader } from '../module.js';
import type { SmhLibraryCredential, SmhSettings } from './types.js';

/**
 * One library in SMH_LIBRARY_ID + SMH_LIBRARY_SECRET, or several in
 * SMH_LIBRARIES=`libraryId:secret,libraryId:secret`.
 */
function libraries(env: EnvReader): SmhLibraryCredential[] {
  const list: SmhLibraryCredential[] = [];
  const one = env.pair('SMH_LIBRARY_ID', 'SMH_LIBRARY_SECRET');
  if (one) list.push({ libraryId: one[0], librarySecret: one[1] });
  const many = env.text('SMH_LIBRARIES');
  for (const [i, entry] of (many?.split(',') ?? []).entries()) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      env.problem('SMH_LIBRARIES', `libraryId:secret pairs separated by commas (entry ${i + 1} is not)`);
      return list;
    }
    list.push({ libraryId: entry.slice(0, colon).trim(), librarySecret: entry.slice(colon + 1).trim() });
  }
  return list;
}

/**
 * SMH_BASE_URL, the library credentials, and SMH_CHUNK_SIZE / SMH_MAX_ITEMS / SMH_CONCURRENCY /
 * SMH_MAX_CALLS_PER_SECOND.
 */
export const smhSettings: SettingsReader<SmhSettings> = {
  baseUrlVariable: 'SMH_BASE_URL',
  origin: "the media library's API origin",
  read(env) {
    const baseUrl = env.httpUrl('SMH_BASE_URL');
    const list = libraries(env);
    return {
      baseUrl,
      managed: list.length > 0,
      libraries: list,
      chunkSize: env.integer('SMH_CHUNK_SIZE', 1000, 1, 1000),
      maxItems: env.integer('SMH_MAX_ITEMS', 100_000, 1, 1_000_000),
      concurrency: env.integer('SMH_CONCURRENCY', 4, 1, 64),
      // SMH documents no rate limit: unpaced unless the operator sets one.
      maxCallsPerSecond: readMaxCallsPerSecond(env, 'SMH_MAX_CALLS_PER_SECOND', 0),
    };
  },
};
