import type { SmhCore } from './core.js';
import { EmulatorError } from '../kit/errors.js';
import { coversSpace, type TokenRecord } from './tokens.js';

/**
 * Checks `access_token` for a business call on one space, in the order the error table suggests:
 * missing token, unknown library, bad token, unknown space, token not for this space. Success slides
 * the token's expiry.
 */
export function authenticate(core: SmhCore, url: URL, libraryId: string, spaceId: string): TokenRecord {
  const token = url.searchParams.get('access_token');
  if (!token) throw new EmulatorError(400, 'EmptyAccessToken', 'access token is required');
  if (!core.store.getLibrary(libraryId)) {
    throw new EmulatorError(404, 'LibraryNotFound', `library ${libraryId} not found`);
  }
  const record = core.tokens.find(token, libraryId);
  if (!record) throw new EmulatorError(403, 'InvalidAccessToken', 'access token is invalid or expired');
  if (!core.store.getSpace(libraryId, spaceId)) {
    throw new EmulatorError(404, 'SpaceNotFound', `space ${spaceId} not found`);
  }
  if (!coversSpace(record, spaceId)) {
    throw new EmulatorError(
      403,
      'AccessTokenNotMatchSpace',
      `access token is not valid for space ${spaceId}`,
    );
  }
  core.tokens.touch(record);
  return record;
}
