# The worker image (docker-compose.yml runs it): built in one stage, run from a production-only install
# in the next, as `node dist/worker/main.js` (no tsx, no webpack at start: the workflow code is
# pre-bundled). Prisma uses its JS engine: nothing is downloaded at run time.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY src ./src
RUN npm ci --no-audit --no-fund && npm run build

FROM node:20-bookworm-slim
WORKDIR /app
# glibc gives each thread that allocates its own malloc arena (up to 8 a core) and seldom hands their
# pages back, so the worker's threads (Node's, Temporal core's) kept what a burst used: two arenas
# left it at 325 MB instead of 372 after 1,000 bookings, at no cost in throughput (the bench runs its
# workers with the same setting).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    METRICS_ADDRESS=0.0.0.0:9464 \
    HEALTH_ADDRESS=0.0.0.0:8090
# prisma.config.ts (read by `prisma generate` in the install, and by `prisma migrate deploy`) imports the local defaults.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY src/local/defaults.ts ./src/local/defaults.ts
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
EXPOSE 9464 8090
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not through npm, so SIGTERM reaches the worker and it drains.
CMD ["node", "dist/worker/main.js"]
