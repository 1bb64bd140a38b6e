/**
 * A valid example for each config path, shown under an error at that path. Keys are generic paths:
 * array indices become [] and map keys (table and column names) become *. When a path has no entry,
 * the last segment is looked up alone.
 */
export const EXAMPLES: Record<string, string> = {
  proxy: 'proxy: { admin: { token: ${STRANGLER_ADMIN_TOKEN} }, backends: { legacy: { url: http://127.0.0.1:8000 }, new: { url: http://127.0.0.1:9000 } } }',
  'proxy.listen': '0.0.0.0:8080',
  'proxy.admin': 'admin: { listen: 127.0.0.1:8081, token: ${STRANGLER_ADMIN_TOKEN} }',
  'proxy.admin.listen': '127.0.0.1:8081',
  'proxy.admin.token': '${STRANGLER_ADMIN_TOKEN}  (at least 16 characters)',
  'proxy.backends': 'backends: { legacy: { url: http://127.0.0.1:8000 }, new: { url: http://127.0.0.1:9000 } }',
  'proxy.backends.legacy': 'legacy: { url: http://127.0.0.1:8000, timeoutMs: 30000 }',
  'proxy.backends.new': 'new: { url: http://127.0.0.1:9000, timeoutMs: 5000 }',
  'proxy.backends.*.url': 'http://127.0.0.1:9000',
  'proxy.backends.*.timeoutMs': '5000',
  'proxy.stickiness': 'stickiness: { header: x-user-id, cookie: session }',
  'proxy.routes': 'routes: [ { name: profile.get, match: { method: GET, path: /api/users/:id }, new: 0, shadow: 100 } ]',
  'proxy.routes[]': '{ name: profile.get, match: { method: GET, path: /api/users/:id }, new: 0 }',
  'proxy.routes[].name': 'profile.get',
  'proxy.routes[].match': 'match: { method: GET, path: /api/users/:id }',
  'proxy.routes[].match.method': 'GET  (or [GET, HEAD], or *)',
  'proxy.routes[].match.path': '/api/users/:id',
  'proxy.routes[].new': '25',
  'proxy.routes[].shadow': '100',
  'proxy.routes[].fallback': 'true',
  'proxy.routes[].diff': 'diff: { ignore: [/lastSeen], unorderedArrays: [/tags], numberTolerance: 0.001 }',
  'proxy.routes[].diff.ignore[]': '/friends/*/online',
  'proxy.fallback.maxBodyBytes': '1048576',
  'proxy.shadow.workerNice': '19  (0: as the proxy itself, 19: the lowest)',
  'proxy.shadow.workerIdle': 'true  (false: the nice value only)',
  'proxy.state.store': 'file',
  'proxy.diffs.store': 'file',
  migrate: 'migrate: { source: mysql://app:${MYSQL_PASSWORD}@127.0.0.1:3306/legacy, target: { projectId: my-project }, tables: {} }',
  'migrate.source': 'mysql://app:${MYSQL_PASSWORD}@127.0.0.1:3306/legacy',
  'migrate.target': 'target: { projectId: my-project, namespace: "" }',
  'migrate.target.projectId': 'my-project',
  'migrate.tables.*': 'users: { kind: User, key: id, updatedAt: updated_at }',
  'migrate.tables.*.kind': 'User',
  'migrate.tables.*.key': 'id  (or [user_id, group_id])',
  'migrate.tables.*.parent': 'parent: { kind: Chat, column: chat_id }',
  'migrate.tables.*.columns.*': 'bio: { index: false }',
  'migrate.tables.*.columns.*.type': 'string',
  sourceTimeZone: 'UTC',
  timeZone: 'Europe/Paris',
  url: 'http://127.0.0.1:9000',
  enabled: 'true',
};

export function exampleFor(genericPath: string): string | undefined {
  if (EXAMPLES[genericPath] !== undefined) return EXAMPLES[genericPath];
  const leaf = genericPath.split('.').pop()?.replace(/\[\]$/, '');
  return leaf === undefined ? undefined : EXAMPLES[leaf];
}
