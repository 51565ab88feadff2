/**
 * Documents built to make validation expensive are refused by the cheap document-size rule before
 * graphql-js's quadratic rules look at them; documents at the limits stay cheap too.
 */
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { graphqlPolicy } from '../../src/graphql/policy.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';

const schema = buildSchema(loadTypeDefs());
const policy = graphqlPolicy(loadConfig({}));
const rules = [...specifiedRules, ...policy.validationRules];
const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

/** Parse and validate as a transport does; the best of `runs` in milliseconds, and the messages. */
function cost(query: string, runs = 10): { ms: number; messages: string[] } {
  let ms = Infinity;
  let messages: string[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    messages = validate(schema, parse(query, policy.parseOptions), rules).map((e) => e.message);
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, messages };
}

describe('validation cost', () => {
  const hostile: [string, string, RegExp][] = [
    [
      '1,000 fragments { __typename } (48 KB)',
      `query { ${times(1000, (i) => `...F${i}`)} } ${times(1000, (i) => `fragment F${i} on Query { __typename }`)}`,
      /^The document has 1000 fragment definitions; at most 30 are allowed\.$/,
    ],
    ['5,000 repeats of one field', `query { ${times(5000, () => '__typename')} }`, /5000 selections/],
    [
      '250 inline fragments repeating a field',
      `query { ${times(250, () => '... on Query { __typename }')} }`,
      /the field "__typename" more than 20 times in one selection set/,
    ],
    [
      '21 copyTask fields with different arguments',
      `query { ${times(21, (i) => `copyTask(id: "x${i}") { id }`)} }`,
      /the field "copyTask" more than 20 times/,
    ],
    [
      'a cycle through 30 fragments',
      `query { ...F0 } ${times(30, (i) => `fragment F${i} on Query { __typename ${times(14, (j) => `...F${(i + j + 1) % 30}`)} }`)}`,
      /^Cannot spread fragment "F\d+" within itself\.$/,
    ],
    [
      '240 aliases',
      `query { copyTask(id: "x") { ${times(240, (i) => `a${i}: id`)} } }`,
      /240 aliases; at most 50/,
    ],
  ];

  it.each(hostile)('refuses %s in a few milliseconds', (_name, query, message) => {
    const { ms, messages } = cost(query);
    expect(messages).toEqual([expect.stringMatching(message)]);
    // Generous for a loaded 2-core CI machine: the quadratic rules this guards against take seconds.
    expect(ms).toBeLessThan(50);
  });

  it('keeps documents at the limits cheap, and lets GraphiQL-sized documents through', () => {
    const atLimits = [
      `query { ${times(20, (i) => `copyTask(id: "x${i}") { id state done items { index status source target result renamed error { code message retryable } } }`)} }`,
      `query { ...F0 } ${times(30, (i) => `fragment F${i} on Query { __typename ${times(9, (j) => (i + j + 1 < 30 ? `...F${i + j + 1}` : ''))} }`)}`,
    ];
    for (const query of atLimits) expect(cost(query).ms, query.slice(0, 60)).toBeLessThan(60);
    const ordinary = `query($id: ID!) { copyTask(id: $id) { ...Task } } fragment Task on CopyTask { id state done items { ...Item } }
      fragment Item on CopyItemResult { index status source target result renamed error { code message retryable } }`;
    expect(cost(ordinary).messages).toEqual([]);
  });
});
