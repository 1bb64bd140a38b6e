#!/bin/sh
# Everything the project needs on a fresh machine, idempotent and quick when already done.
# Called by `npm test` and `npm run demo`; safe to run by hand.
set -e
cd "$(dirname "$0")/.."

# 1. npm dependencies, when missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "strangler setup: installing npm dependencies" >&2
  # `npm install`, not `npm ci`: npm 11 here leaves other platforms' optional binaries (unrs-resolver)
  # out of the lock file and `npm ci` then refuses it; install honours the lock all the same.
  npm install --no-audit --no-fund --loglevel=error
fi

# 2. The build (dist/ is what `strangler` runs).
npx --no-install tsc -p tsconfig.build.json

# 3. PHP with pdo_mysql, for the legacy demo app and the end-to-end tests.
if ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qi '^pdo_mysql$'; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "strangler setup: installing php-cli php-mysql from Debian" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-mysql >/dev/null) ||
      echo "strangler setup: could not install PHP; run: apt-get install php-cli php-mysql" >&2
  else
    echo "strangler setup: PHP with pdo_mysql is missing; run: sudo apt-get install php-cli php-mysql" >&2
  fi
fi

# 4. redis-server, for the tests of the Redis state and diff stores (each test starts a private one).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "strangler setup: installing redis-server from Debian" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) ||
      echo "strangler setup: could not install redis-server; run: apt-get install redis-server" >&2
  else
    echo "strangler setup: redis-server is missing; run: sudo apt-get install redis-server" >&2
  fi
fi

# 5. Debian's chromium, driven by playwright-core in the console's browser tests (never a downloaded build).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "strangler setup: installing chromium from Debian" >&2
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)) ||
      echo "strangler setup: could not install chromium; run: apt-get install chromium" >&2
  else
    echo "strangler setup: chromium is missing; run: sudo apt-get install chromium" >&2
  fi
fi
