// The baseline: the least a proxy can do for the same call — read a JSON body, make the same SMH batch
// copy over an undici keep-alive pool, return the upstream's answer. No GraphQL, no validation.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = process.env.SMH_BASE_URL;
const pool = new Pool(upstream, { connections: 64, headersTimeout: 10_000, bodyTimeout: 10_000 });

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const { libraryId, items } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const token = req.headers['x-smh-access-token'];
  const answer = await pool.request({
    method: 'POST',
    path: `/api/v1/batch/${encodeURIComponent(libraryId)}/-?copy=1&access_token=${encodeURIComponent(token)}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      items.map((i) => ({ copyFrom: i.from, to: i.to, conflictResolutionStrategy: 'ask' })),
    ),
  });
  const body = await answer.body.text();
  res.writeHead(answer.statusCode === 207 ? 200 : answer.statusCode, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`bare proxy listening at http://127.0.0.1:${server.address().port}\n`),
);
process.once('SIGTERM', () => server.close(() => pool.close().then(() => process.exit(0))));
