import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('request logging at the default level', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ LOG_LEVEL: 'info', DEMO: '1' });
  });
  afterAll(() => gateway.close());

  it('writes one line per request, when it completes, with the request, the status and the time', async () => {
    const { status } = await gateway.graphql('{ __typename }');
    expect(status).toBe(200);
    const lines = gateway.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.reqId !== undefined);
    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, unknown>];
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'POST', url: '/graphql', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
  });
});
