# The ixc-iot-sync worker (and its CLI: migrate, start, stack register, sandbox, ...).
# Build context: the repository root (docker/compose.yml sets it).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Read at run time: the connector template (stack register) and the IXC fixture paths.
COPY docker/connector ./docker/connector
COPY fixtures ./fixtures
USER node
EXPOSE 9464
# /health answers without OPS_TOKEN (the probe carries none). The image has no curl: node asks.
# Other commands run from this image (sandbox, stack register) set or disable their own check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9464)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/cli/main.js", "start"]
