# The strangler image: `docker build -t strangler .` then `docker run strangler proxy start -c …`.
# Three stages so that the final image holds the compiled dist/, the production dependencies and the
# console's static files only (no TypeScript sources, no compiler, no dev dependencies).

# 1. Compile TypeScript to dist/.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` honours the lock file; `npm ci` refuses a lock written by a newer npm that left other
# platforms' optional binaries out (see scripts/setup.sh).
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
# Every folder tsconfig.build.json includes (a test checks that the two lists agree).
COPY core core
COPY config config
COPY wiring wiring
COPY local-servers local-servers
COPY proxy proxy
COPY migrators migrators
COPY diffs diffs
COPY cli cli
COPY examples examples
RUN npx tsc -p tsconfig.build.json

# 2. Production dependencies only.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. What runs: node, dist/, node_modules, the console's static files; as the unprivileged `node` user.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY web web
RUN ln -s /app/dist/cli/main.js /usr/local/bin/strangler && chmod +x /app/dist/cli/main.js
USER node
EXPOSE 8080 8081
ENTRYPOINT ["strangler"]
CMD ["--help"]
