// The baseline: the least a proxy can do for the calls the gateway makes — read a JSON body, make the same
// upstream call over one undici keep-alive Pool (`pool.request`), return the upstream's answer. No GraphQL,
// no validation, no auth, no metrics, no logging. Routes (all POST, JSON bodies):
//   /smh       {libraryId, spaceId, items:[{from,to}]}         → SMH batch copy (token: x-smh-access-token)
//   /dingtalk  {spaceId, unionId, targetSpaceId, targetFolderId, dentryIds}
//                                                              → DingTalk batch copy (x-acs-dingtalk-access-token)
//   /tasks     {libraryId, spaceId, taskIds}                    → one SMH task query for all ids
// UPSTREAM_URL names the upstream origin. Prints `bare proxy listening at http://127.0.0.1:PORT`.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.env.UPSTREAM_URL, {
  connections: 64,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});
const seg = encodeURIComponent;

/** The upstream call for a route, from the parsed body and the request headers. */
const calls = {
  '/smh': (body, headers) => ({
    method: 'POST',
    path: `/api/v1/batch/${seg(body.libraryId)}/${seg(body.spaceId)}?copy=1&access_token=${seg(headers['x-smh-access-token'])}`,
    headers: { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(
      body.items.map((i) => ({ copyFrom: i.from, to: i.to, conflictResolutionStrategy: 'ask' })),
    ),
  }),
  '/dingtalk': (body, headers) => ({
    method: 'POST',
    path: `/v1.0/storage/spaces/${seg(body.spaceId)}/dentries/batchCopy?unionId=${seg(body.unionId)}`,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json; charset=utf-8',
      'x-acs-dingtalk-access-token': headers['x-acs-dingtalk-access-token'],
    },
    body: JSON.stringify({
      targetSpaceId: body.targetSpaceId,
      targetFolderId: body.targetFolderId,
      dentryIds: body.dentryIds,
      option: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' },
    }),
  }),
  '/tasks': (body, headers) => ({
    method: 'GET',
    path: `/api/v1/task/${seg(body.libraryId)}/${seg(body.spaceId)}/${body.taskIds.map(seg).join(',')}?access_token=${seg(headers['x-smh-access-token'])}`,
    headers: { accept: 'application/json' },
  }),
};

const server = createServer(async (req, res) => {
  try {
    const call = calls[req.url];
    if (!call || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const answer = await pool.request(call(body, req.headers));
    const text = await answer.body.text();
    res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
    res.end(text);
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: String(error) }));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`bare proxy listening at http://127.0.0.1:${server.address().port}\n`),
);
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => pool.close().then(() => process.exit(0)));
});
