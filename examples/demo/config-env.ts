import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the demo's pieces run, as the demo runner knows them once each has started. */
export interface DemoAddresses {
  /** host:port of the proxy's public listener. */
  proxyListen: string;
  /** host:port of the proxy's admin API. */
  adminListen: string;
  adminToken: string;
  legacyUrl: string;
  newUrl: string;
  /** mysql://…/strangler_demo */
  mysqlUrl: string;
  projectId: string;
  namespace?: string;
  /** Where routes.json, diffs.jsonl and dead letters go. */
  workDir: string;
}

/**
 * follow's onChange module for the read model, next to this file's own build: the compiled .js when
 * the demo runs from dist/, the .ts source under tsx or jest (the config sits in the source tree).
 */
const READ_MODEL_HOOK = fileURLToPath(new URL(`../new-service/read-model-hook${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** The environment examples/demo/strangler.yaml reads (its ${STRANGLER_DEMO_…} variables). */
export function demoConfigEnv(a: DemoAddresses): Record<string, string> {
  return {
    STRANGLER_DEMO_LISTEN: a.proxyListen,
    STRANGLER_DEMO_ADMIN_LISTEN: a.adminListen,
    STRANGLER_ADMIN_TOKEN: a.adminToken,
    STRANGLER_DEMO_LEGACY_URL: a.legacyUrl,
    STRANGLER_DEMO_NEW_URL: a.newUrl,
    STRANGLER_DEMO_MYSQL_URL: a.mysqlUrl,
    STRANGLER_DEMO_PROJECT: a.projectId,
    STRANGLER_DEMO_NAMESPACE: a.namespace ?? '',
    STRANGLER_DEMO_DIR: a.workDir,
    STRANGLER_DEMO_READ_MODEL_HOOK: READ_MODEL_HOOK,
  };
}
