import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { providers as registry } from '../providers/registry.js';

/** The schema directory, found the same way from src/ (tests) and dist/ (production). */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/**
 * The SDL every gateway serves, whatever its providers: scalars, errors, the copy operations and tasks.
 * `Provider` and `BatchCopyInput` are declared empty there; each provider's SDL file extends them.
 */
export const COMMON_SDL_FILES = ['common.graphql', 'copy.graphql', 'task.graphql'];

/** The common SDL (see {@link COMMON_SDL_FILES}), the source of truth for everything but the providers. */
export function commonTypeDefs(): string {
  return COMMON_SDL_FILES.map((file) => readFileSync(SCHEMA_DIR + file, 'utf8')).join('\n');
}

/** The schema's SDL: the common files, then each provider module's file, in the modules' order. */
export function loadTypeDefs(modules: readonly { schemaFile: URL }[] = registry): string {
  return [commonTypeDefs(), ...modules.map((m) => readFileSync(m.schemaFile, 'utf8'))].join('\n');
}
