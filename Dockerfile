# The worker image (docker-compose.yml runs it). Prisma uses its JS engine: nothing is downloaded at run time.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY src/local/defaults.ts ./src/local/defaults.ts
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY bin ./bin
COPY tsconfig.json ./
USER node
# tsx directly, not through npm, so SIGTERM reaches the worker and it drains.
CMD ["node_modules/.bin/tsx", "src/worker/main.ts"]
