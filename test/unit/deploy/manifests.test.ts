/**
 * The Kubernetes manifests (deploy/kubernetes) against the Kubernetes API schemas (kubernetes-models
 * validates each object as the API server's OpenAPI schema would), the promises they make (replicas,
 * probes, drain within the grace, admin inside the cluster, the Indexed Job's shard argument), and
 * the ConfigMap's strangler.yaml against strangler's own config schema.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseConfig } from '../../../config/load.js';
import { PACKAGE_ROOT } from '../../../core/package-info.js';

const ROOT = path.join(PACKAGE_ROOT, 'deploy', 'kubernetes');
const BASE = path.join(ROOT, 'base');
const OVERLAY = path.join(ROOT, 'overlays', 'example');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJSON() as K8sObject).filter(Boolean);
}

/** The objects a kustomization lists as resources (recursing into bases), by file. */
function resources(dir: string): K8sObject[] {
  const k = parseYaml(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return k.resources.flatMap((r) => {
    const p = path.join(dir, r);
    return existsSync(path.join(p, 'kustomization.yaml')) ? resources(p) : objectsOf(readFileSync(p, 'utf8'));
  });
}

function validate(o: K8sObject): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind} (${o.metadata?.name})`);
  new Model(o as never).validate();
}

const byKind = (objs: K8sObject[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;

describe('Kubernetes manifests', () => {
  const base = resources(BASE);

  it('every object of the base and of the example overlay is valid against the Kubernetes schemas', () => {
    expect(base.length).toBeGreaterThanOrEqual(7);
    for (const o of [...base, ...resources(OVERLAY)]) expect(() => validate(o)).not.toThrow();
  });

  it('a schema violation is caught (the validation is not a formality)', () => {
    const bad = structuredClone(byKind(base, 'Deployment'));
    bad.spec.replicas = 'three';
    expect(() => validate(bad)).toThrow();
  });

  it('the proxy: 3 replicas, ready on /healthz, drained within the termination grace, non-root', () => {
    const d = byKind(base, 'Deployment', 'strangler-proxy');
    expect(d.spec.replicas).toBe(3);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    const grace = Number(c.args[c.args.indexOf('--grace') + 1]);
    const preStop = Number(c.lifecycle.preStop.exec.command[1]);
    expect(c.args.slice(0, 2)).toEqual(['proxy', 'start']);
    expect(preStop * 1000 + grace).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
  });

  it('a PodDisruptionBudget and a CPU HPA cover the proxy pods', () => {
    const d = byKind(base, 'Deployment');
    const pdb = byKind(base, 'PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas);
    const hpa = byKind(base, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
  });

  it('the public Service exposes the public port only; the admin Service stays inside the cluster', () => {
    const services = base.filter((o) => o.kind === 'Service');
    const pub = services.find((s) => s.metadata.name === 'strangler-proxy')!;
    const admin = services.find((s) => s.metadata.name === 'strangler-admin')!;
    expect(pub.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['public']);
    expect(admin.spec.type).toBe('ClusterIP');
    expect(admin.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['admin']);
    // Only the public Service may have an external address.
    for (const s of services.filter((x) => x.spec.ports.some((p: { targetPort: string }) => p.targetPort === 'admin'))) {
      expect(s.spec.type ?? 'ClusterIP').toBe('ClusterIP');
      expect(s.spec.externalIPs).toBeUndefined();
    }
  });

  it('migrate run as an Indexed Job: pod i of N runs --shard i/N', () => {
    const job = byKind(base, 'Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0];
    expect(c.args.slice(0, 2)).toEqual(['migrate', 'run']);
    expect(c.args[c.args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)/$(JOB_COMPLETIONS)');
    expect(c.env.find((e: { name: string }) => e.name === 'JOB_COMPLETIONS').value).toBe(String(job.spec.completions));
  });

  it("the ConfigMap's strangler.yaml is a valid strangler config with the overlay's values, on Redis", () => {
    const overlay = resources(OVERLAY);
    const env = { ...byKind(overlay, 'ConfigMap', 'strangler-env').data, ...byKind(overlay, 'Secret', 'strangler-secrets').stringData };
    const d = byKind(base, 'Deployment');
    expect(d.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'strangler-env' } }, { secretRef: { name: 'strangler-secrets' } }]);
    const config = parseConfig(byKind(base, 'ConfigMap', 'strangler-config').data['strangler.yaml'], 'strangler.yaml', env);
    expect(config.proxy!.state).toMatchObject({ store: 'redis', url: env.REDIS_URL });
    expect(config.proxy!.diffs).toMatchObject({ store: 'redis', url: env.REDIS_URL });
    expect(config.proxy!.admin.listen.port).toBe(8081);
    expect(config.proxy!.listen.port).toBe(8080);
    expect(config.migrate).toBeDefined();
  });

  // kustomize itself (inside kubectl) renders the overlay when it is installed; without it the
  // checks above still validate every file the overlay is made of.
  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
  (kubectl ? it : it.skip)('kubectl kustomize renders the overlay into valid objects with its image and namespace', () => {
    const rendered = objectsOf(execFileSync(kubectl!, ['kustomize', OVERLAY], { encoding: 'utf8' }));
    for (const o of rendered) expect(() => validate(o)).not.toThrow();
    const d = byKind(rendered, 'Deployment');
    expect(d.metadata.namespace).toBe('strangler');
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/strangler:0.1.0');
    expect(byKind(rendered, 'HorizontalPodAutoscaler').spec.maxReplicas).toBe(6);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(PACKAGE_ROOT, 'Dockerfile'), 'utf8');
  const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));

  it('is multi-stage on node:20-slim, runs dist/ as a non-root user with strangler as its entrypoint', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.every((f) => f === 'node:20-slim')).toBe(true);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/^ENTRYPOINT \["strangler"\]$/m);
    expect(finalStage).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    // No TypeScript sources in the final stage: only dist/, production node_modules, the console's static files.
    const copies = [...finalStage.matchAll(/^COPY (.+)$/gm)].map((m) => m[1]);
    expect(copies).toEqual(['--from=deps /app/node_modules ./node_modules', '--from=build /app/dist ./dist', 'package.json ./', 'web web']);
  });

  it('the build stage copies every source folder the build compiles', () => {
    const build = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const buildStage = text.slice(0, text.indexOf('\nFROM ', text.indexOf('AS build')));
    const copied = [...buildStage.matchAll(/^COPY (\S+) \1$/gm)].map((m) => m[1]);
    expect(copied.sort()).toEqual([...build.include].sort());
  });
});
