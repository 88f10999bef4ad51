# The voice server: pages, WebSocket audio, call records, all on one port.
#   docker build -t voice-qualify . && docker run -p 3000:3000 -e ADMIN_TOKEN=... -v voice-data:/app/.data voice-qualify
# Set DATABASE_URL to use PostgreSQL instead of the embedded database in /app/.data.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
COPY package.json package-lock.json ./
# Runtime dependencies only: the engines (soundswallower, flite, PGlite) ship inside these packages.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/.next ./.next
COPY server.ts next.config.ts tsconfig.json postcss.config.mjs ./
COPY app ./app
COPY components ./components
COPY lib ./lib
COPY flows ./flows
COPY public ./public
RUN mkdir -p .data && chown -R node:node .data
USER node
EXPOSE 3000
# SIGTERM drains live calls (DRAIN_TIMEOUT_MS) before the process exits.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://localhost:3000/api/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server.ts"]
