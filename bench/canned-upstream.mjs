// An upstream that answers instantly with canned bodies, so a benchmark measures what sits in front of it
// (the gateway or the bare proxy) and not an emulator's own work. One bare node:http server speaks both
// dialects the gateway calls:
//   SMH       POST /api/v1/batch/{libraryId}/{spaceId}?copy=1  → 200 {"result":[…]} (space "async": 202 {"taskId":n})
//             GET  /api/v1/task/{libraryId}/{spaceId}/{ids}     → 200 [{"taskId":n,"status":200,"result":[…]}, …]
//             GET  /api/v1/token                                → 200 {"accessToken":…,"expiresIn":7200}
//   DingTalk  POST /v1.0/storage/spaces/{spaceId}/dentries/batchCopy → 200 {"resultItems":[…]}
//             POST /v1.0/oauth2/accessToken                     → 200 {"accessToken":…,"expireIn":7200}
// Shapes as documented at https://www.tencentcloud.com/document/product/1283/75493 (SMH batch copy),
// https://www.tencentcloud.com/document/product/1283/75479 (SMH task query) and
// https://help.dingtalk.io/open/development/copy-files-or-folders-in-bulk (DingTalk batch copy).
// GET /_bench/counts answers how many calls each route received, so a run can count upstream calls.
// Prints `canned upstream listening at http://127.0.0.1:PORT` once it listens.
import { createServer } from 'node:http';

const json = (value) => Buffer.from(JSON.stringify(value));

/** The SMH 200 for a batch of three files, every item copied (status 200, the final path in `path`). */
const smhItem = (n) => ({
  status: 200,
  path: ['bench', `copy-${n}.jpg`],
  copyFrom: ['src', `${n}.jpg`],
  to: ['bench', `copy-${n}.jpg`],
});
const SMH_BATCH_200 = json({ result: [smhItem(1), smhItem(2), smhItem(3)] });
/** DingTalk's 200 for three dentries, each copied synchronously. */
const dingTalkItem = (n) => ({
  spaceId: 'space-src',
  dentryId: `dentry-${n}`,
  async: false,
  success: true,
  targetSpaceId: 'space-dst',
  targetDentryId: `copy-${n}`,
});
const DINGTALK_BATCH_200 = json({ resultItems: [dingTalkItem(1), dingTalkItem(2), dingTalkItem(3)] });
const SMH_TOKEN = json({ accessToken: 'canned-smh-token', expiresIn: 7200 });
const DINGTALK_TOKEN = json({ accessToken: 'canned-dingtalk-token', expireIn: 7200 });

/** A finished one-item SMH task; the answer for a list of ids is cached by the list. */
const taskAnswers = new Map();
function smhTasks(idList) {
  let body = taskAnswers.get(idList);
  if (body === undefined) {
    const tasks = idList.split(',').map((id) => ({
      taskId: Number(id),
      status: 200,
      result: [{ ...smhItem(Number(id)), path: ['bench', `task-${id}.jpg`] }],
    }));
    body = json(tasks);
    if (taskAnswers.size < 10_000) taskAnswers.set(idList, body);
  }
  return body;
}

const counts = {
  smhBatch: 0,
  smhAsync: 0,
  smhTasks: 0,
  smhToken: 0,
  dingTalkBatch: 0,
  dingTalkToken: 0,
  other: 0,
};
let nextTaskId = 1;

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // Bodies are read and dropped: the answers are canned, and reading keeps the connection reusable.
  req.resume();
  req.once('end', () => {
    if (req.method === 'POST' && path.startsWith('/api/v1/batch/')) {
      if (path.endsWith('/async')) {
        counts.smhAsync += 1;
        return answer(res, 202, json({ taskId: nextTaskId++ }));
      }
      counts.smhBatch += 1;
      return answer(res, 200, SMH_BATCH_200);
    }
    if (req.method === 'GET' && path.startsWith('/api/v1/task/')) {
      counts.smhTasks += 1;
      return answer(res, 200, smhTasks(decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))));
    }
    if (req.method === 'POST' && path.endsWith('/dentries/batchCopy')) {
      counts.dingTalkBatch += 1;
      return answer(res, 200, DINGTALK_BATCH_200);
    }
    if (path === '/api/v1/token') {
      counts.smhToken += 1;
      return answer(res, 200, SMH_TOKEN);
    }
    if (req.method === 'POST' && path === '/v1.0/oauth2/accessToken') {
      counts.dingTalkToken += 1;
      return answer(res, 200, DINGTALK_TOKEN);
    }
    if (path === '/_bench/counts') return answer(res, 200, json(counts));
    counts.other += 1;
    return answer(
      res,
      404,
      json({ code: 'NotFound', message: `no canned answer for ${req.method} ${path}` }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`canned upstream listening at http://127.0.0.1:${server.address().port}\n`),
);
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
