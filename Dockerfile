# syntax=docker/dockerfile:1
# copy-gateway container image. Build: docker build -t copy-gateway .
# Run: docker run -p 4000:4000 -e SMH_BASE_URL=… -e GATEWAY_API_KEYS=… copy-gateway (or -e DEMO=1).
# Another supported Node LTS: docker build --build-arg NODE_VERSION=22 .

ARG NODE_VERSION=24

# Build stage: every dependency, then TypeScript compiled to dist/.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script (native code ships prebuilt as Node-API addons).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY schema/ schema/
COPY src/ src/
RUN npm run build

# Runtime stage: production dependencies only, the compiled code and the SDL it loads at start.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/ dist/
COPY schema/ schema/
# The code stays owned by root and read-only for the user the gateway runs as.
USER node
EXPOSE 4000
# The image has no curl: Node's own fetch asks /healthz. The gateway drains in-flight requests for up
# to 10 s on SIGTERM, so give `docker stop` (or the orchestrator's grace period) more than that.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
