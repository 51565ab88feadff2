import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { resolvers } from '../../src/graphql/resolvers.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';

/**
 * The committed snapshot of the schema clients rely on. `npm run schema:accept` rewrites it; the
 * rewrite is reviewed in the diff like any other change.
 */
export const SNAPSHOT_PATH = fileURLToPath(new URL('../../schema.snapshot.graphql', import.meta.url));

const HEADER =
  '# The schema the gateway serves, printed and sorted. Do not edit: `npm run schema:accept` rewrites it.\n\n';

/**
 * The SDL of the executable schema the gateway serves (type definitions and resolvers, as the server
 * builds it), sorted by name so moving definitions between files changes nothing.
 */
export function servedSchemaSdl(): string {
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  return `${HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}

export function readSnapshot(): string {
  return readFileSync(SNAPSHOT_PATH, 'utf8');
}

/** The changes from one SDL to another, split by graphql-inspector's criticality levels. */
export interface SchemaChanges {
  /** Changes that can break an existing client (a field removed, a type changed, an argument required). */
  breaking: Change[];
  /** Changes that are safe for clients written well, e.g. a new enum value or union member. */
  dangerous: Change[];
  /** Changes no client can notice, e.g. a new optional field or a new description. */
  safe: Change[];
}

export async function schemaChanges(before: string, after: string): Promise<SchemaChanges> {
  const changes = await diff(buildSchema(before), buildSchema(after));
  const at = (level: CriticalityLevel) => changes.filter((change) => change.criticality.level === level);
  return {
    breaking: at(CriticalityLevel.Breaking),
    dangerous: at(CriticalityLevel.Dangerous),
    safe: at(CriticalityLevel.NonBreaking),
  };
}
