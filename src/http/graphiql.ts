import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { graphqlErrorBody } from './error-body.js';
import { refuseOtherMethods } from './method-not-allowed.js';

/**
 * GraphiQL served from our own origin. Apollo's default landing page loads Sandbox from a CDN, which
 * fails on machines without internet; graphiql@4's UMD bundle runs on React 18's UMD builds and needs
 * no bundler, so the files come straight from node_modules.
 */
const require = createRequire(import.meta.url);

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.js': {
    pkg: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
};

function assetPath(pkg: string, file: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  return manifest.slice(0, -'package.json'.length) + file;
}

/** The path prefix of GraphiQL's static files. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** One tab GraphiQL opens with: an operation and, as JSON text, its variables and headers. */
export interface ExampleTab {
  query: string;
  variables?: string;
  headers?: string;
}

/**
 * The GraphiQL HTML page opening with `tabs`; every script and style it loads is under our own origin,
 * and subscriptions run over WebSocket on the page's own path.
 */
export function graphiqlPage(tabs: ExampleTab[]): string {
  // JSON in a <script> must not be able to close the tag.
  const config = JSON.stringify({ tabs }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>copy-gateway · GraphiQL</title>
<link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.css">
<style>body{margin:0;height:100vh;overflow:hidden}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${GRAPHIQL_ASSET_PREFIX}react.js"></script>
<script src="${GRAPHIQL_ASSET_PREFIX}react-dom.js"></script>
<script src="${GRAPHIQL_ASSET_PREFIX}graphiql.js"></script>
<script id="graphiql-config" type="application/json">${config}</script>
<script>
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  const url = window.location.pathname;
  // Subscriptions go over WebSocket on the same path; GraphiQL's bundle carries the graphql-ws client.
  const subscriptionUrl = window.location.origin.replace(/^http/, 'ws') + url;
  const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultTabs: config.tabs, defaultEditorToolsVisibility: true }),
  );
</script>
</body>
</html>`;
}

/**
 * Serves the static files GraphiQL needs under {@link GRAPHIQL_ASSET_PREFIX} (read once at start and
 * kept in memory, cached by browsers for a day). The page itself is served by the GraphQL routes, on
 * the endpoint's own path, to browsers ({@link wantsGraphiql}).
 */
export const graphiqlAssets: FastifyPluginAsync = async (app) => {
  const loaded = await Promise.all(
    Object.entries(ASSETS).map(async ([name, asset]) => {
      const body = await readFile(assetPath(asset.pkg, asset.file));
      return [name, { body, type: asset.type }] as const;
    }),
  );
  const files = new Map(loaded);
  app.get<{ Params: { file: string } }>(`${GRAPHIQL_ASSET_PREFIX}:file`, async (request, reply) => {
    const asset = files.get(request.params.file);
    if (!asset) {
      return reply
        .code(404)
        .send(
          graphqlErrorBody(
            `No GraphiQL asset named ${JSON.stringify(request.params.file)}.`,
            'NOT_FOUND',
            request.id,
          ),
        );
    }
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=86400')
      .send(asset.body);
  });
  refuseOtherMethods(
    app,
    `${GRAPHIQL_ASSET_PREFIX}:file`,
    ['GET', 'HEAD'],
    'GraphiQL files are read with GET.',
  );
};

/**
 * A browser navigating to the endpoint (it accepts `text/html` and sends no `query` parameter), as
 * opposed to a GraphQL GET request.
 */
export function wantsGraphiql(accept: string | undefined, query: Record<string, unknown>): boolean {
  return !!accept && accept.includes('text/html') && query.query === undefined;
}
