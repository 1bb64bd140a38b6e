// Runs the new service on its own: PORT, DATASTORE_PROJECT_ID, DATASTORE_NAMESPACE (and
// DATASTORE_EMULATOR_HOST for the emulator), e.g.
//   DATASTORE_EMULATOR_HOST=127.0.0.1:8432 PORT=9000 npx tsx examples/new-service/main.ts
import { startNewService } from './server.js';

const service = await startNewService({
  projectId: process.env.DATASTORE_PROJECT_ID ?? 'strangler-demo',
  namespace: process.env.DATASTORE_NAMESPACE ?? '',
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 9000),
});
console.log(`new service listening on ${service.url}`);
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
