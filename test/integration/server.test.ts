import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXAMPLES } from '../../src/demo/examples.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('gateway server', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9' }, { examples: DEMO_EXAMPLES });
  });
  afterAll(() => gateway.close());

  it('serves exactly the SDL in schema/ through introspection', async () => {
    const { status, body } = await gateway.graphql<IntrospectionQuery>(
      getIntrospectionQuery({
        descriptions: true,
        oneOf: true,
        inputValueDeprecation: true,
        specifiedByUrl: true,
      }),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const served = printSchema(lexicographicSortSchema(buildClientSchema(body.data as IntrospectionQuery)));
    const source = printSchema(lexicographicSortSchema(buildSchema(loadTypeDefs())));
    expect(served).toBe(source);
    expect(served).toContain('input BatchCopyInput @oneOf');
  });

  it('answers the health probes', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await request(gateway.url + path);
      expect(response.statusCode).toBe(200);
      expect(((await response.body.json()) as { status: string }).status).toMatch(/ok|ready/);
    }
  });

  it('serves GraphiQL to a browser with every script and style from its own origin', async () => {
    const response = await request(`${gateway.url}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    const html = await response.body.text();
    const origins = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => new URL(m[0]).origin);
    expect(origins.filter((origin) => origin !== gateway.url)).toEqual([]);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const file = await request(gateway.url + asset);
      expect(file.statusCode, asset).toBe(200);
      expect((await file.body.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    // The example operations for both providers are in the page.
    expect(html).toContain('SmhBatchCopy');
    expect(html).toContain('DingTalkBatchCopy');
  });

  it('still answers GraphQL GET requests on the same path', async () => {
    const response = await request(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('counts depth by fields, not fragment spreads, so fragment-heavy clients get the same limit', async () => {
    const inline = '{ copyTask(id: "ct1_x") { items { error { upstream { provider } } } } }';
    const viaFragments = `{ copyTask(id: "ct1_x") { ...Task } }
      fragment Task on CopyTask { items { ...Item } }
      fragment Item on CopyItemResult { error { ...Err } }
      fragment Err on CopyError { upstream { ...Upstream } }
      fragment Upstream on UpstreamError { provider }`;
    for (const [limit, expected] of [
      ['5', 'BAD_USER_INPUT'], // passes validation: only the made-up task id fails
      ['4', 'GRAPHQL_VALIDATION_FAILED'],
    ] as const) {
      const limited = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9', GRAPHQL_MAX_DEPTH: limit });
      try {
        for (const query of [inline, viaFragments]) {
          const { body } = await limited.graphql(query);
          expect(body.errors?.map((e) => e.extensions?.code)).toEqual([expected]);
        }
      } finally {
        await limited.close();
      }
    }
  });

  it('gives every error a code', async () => {
    const { body } = await gateway.graphql('{ copyTask(id: "not-a-task") { id } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknownField = await gateway.graphql('{ nope }');
    expect(unknownField.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a 48 KB document of 1,000 fragments as a validation error, over HTTP and WebSocket', async () => {
    const times = (f: (i: number) => string) => Array.from({ length: 1000 }, (_, i) => f(i)).join(' ');
    const query = `query { ${times((i) => `...F${i}`)} } ${times((i) => `fragment F${i} on Query { __typename }`)}`;
    expect(query.length).toBeGreaterThan(45_000);
    const { status, body } = await gateway.graphql(query);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'The document has 1000 fragment definitions; at most 30 are allowed.',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
      }),
    ]);
  });
});
