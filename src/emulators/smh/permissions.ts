import { coversSpace, type TokenRecord } from './tokens.js';
import type { NodeKind } from './tree.js';

/** SMH `conflictResolutionStrategy` values. */
export type Strategy = 'ask' | 'rename' | 'overwrite';

/** What a token may do, captured at request time so a background task keeps the caller's rights. */
export type Grantee = Pick<TokenRecord, 'grants' | 'spaceIds'>;

/** Why a token may not copy an item. */
export interface Denial {
  status: 403;
  code: 'NoPermission' | 'AccessTokenNotMatchSpace';
  message: string;
}

const COPY_GRANTS = ['admin', 'space_admin', 'copy_directory', 'copy_file', 'copy_file_force'];

function isSpaceAdmin(g: Grantee): boolean {
  return g.grants.has('admin') || g.grants.has('space_admin');
}

/** A token holding none of the copy grants can copy nothing: the whole request is refused. */
export function mayCopyAnything(g: Grantee): boolean {
  return COPY_GRANTS.some((name) => g.grants.has(name));
}

/** Cross-space copy needs admin, or space_admin on both spaces (the destination was checked already). */
export function crossSpaceDenial(g: Grantee, sourceSpaceId: string): Denial | undefined {
  if (!isSpaceAdmin(g)) {
    return { status: 403, code: 'NoPermission', message: 'cross-space copy needs admin or space_admin' };
  }
  if (!coversSpace(g, sourceSpaceId)) {
    return {
      status: 403,
      code: 'AccessTokenNotMatchSpace',
      message: `access token is not valid for source space ${sourceSpaceId}`,
    };
  }
  return undefined;
}

/**
 * Same-space rights by source kind: directories and albums need copy_directory; files need copy_file,
 * or copy_file_force when the item asks to overwrite (force also covers plain copies).
 */
export function kindDenial(g: Grantee, kind: NodeKind, strategy: Strategy): Denial | undefined {
  if (isSpaceAdmin(g)) return undefined;
  if (kind !== 'file') {
    return g.grants.has('copy_directory') ? undefined : deny('copy_directory');
  }
  if (strategy === 'overwrite') return g.grants.has('copy_file_force') ? undefined : deny('copy_file_force');
  return g.grants.has('copy_file') || g.grants.has('copy_file_force') ? undefined : deny('copy_file');
}

function deny(grant: string): Denial {
  return { status: 403, code: 'NoPermission', message: `access token lacks the ${grant} grant` };
}
