import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshot, schemaChanges, servedSchemaSdl, SNAPSHOT_PATH } from './snapshot.js';

const ACCEPT = process.env.SCHEMA_ACCEPT === '1';

describe('schema changes are deliberate', () => {
  it('the served schema breaks nothing in the committed snapshot', async () => {
    // `npm run schema:accept` acknowledges every change, breaking ones included: it rewrites the
    // snapshot, and the snapshot's diff shows reviewers exactly what clients gain and lose.
    if (ACCEPT) writeFileSync(SNAPSHOT_PATH, servedSchemaSdl());
    const { breaking, dangerous, safe } = await schemaChanges(readSnapshot(), servedSchemaSdl());
    if (dangerous.length + safe.length > 0) {
      console.warn(
        `schema.snapshot.graphql is behind by ${dangerous.length + safe.length} compatible change(s); ` +
          'refresh it with `npm run schema:accept`:\n' +
          [...dangerous, ...safe].map((change) => `  ${change.message}`).join('\n'),
      );
    }
    expect(breaking.map((change) => change.message)).toEqual([]);
  });
});

describe('the schema check', () => {
  const before = `
    type Query { task(id: ID!): Task }
    type Task { id: ID! state: State! }
    enum State { RUNNING DONE }
    union Result = Task
  `;

  it('fails on breaking changes', async () => {
    const removedField = before.replace('state: State!', '');
    const requiredArgument = before.replace('task(id: ID!)', 'task(id: ID!, scope: String!)');
    const nullableField = before.replace('state: State!', 'state: State');
    expect((await schemaChanges(before, removedField)).breaking.map((c) => c.message)).toEqual([
      "Field 'state' was removed from object type 'Task'",
    ]);
    expect((await schemaChanges(before, requiredArgument)).breaking.map((c) => c.type)).toEqual([
      'FIELD_ARGUMENT_ADDED',
    ]);
    expect((await schemaChanges(before, nullableField)).breaking.map((c) => c.type)).toEqual([
      'FIELD_TYPE_CHANGED',
    ]);
  });

  it('lets additions pass', async () => {
    const added = before
      .replace('state: State!', 'state: State! startedAt: String')
      .replace('RUNNING DONE', 'RUNNING DONE FAILED')
      .replace('type Query {', 'type Query { tasks: [Task!]!');
    const changes = await schemaChanges(before, added);
    expect(changes.breaking).toEqual([]);
    expect(changes.safe.map((c) => c.type).sort()).toEqual(['FIELD_ADDED', 'FIELD_ADDED']);
    expect(changes.dangerous.map((c) => c.type)).toEqual(['ENUM_VALUE_ADDED']);
  });
});
