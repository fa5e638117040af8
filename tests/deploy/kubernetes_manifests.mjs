// kubernetes_manifests (ctest label `package`): every object in deploy/kubernetes/*.yaml is
// valid against the Kubernetes API's schemas (npm kubernetes-models, the OpenAPI schemas of
// the API server compiled to validators), and the objects fit together the way a cluster
// would need them to: selectors match their pods' labels, Services' target ports are named
// by a container, every Secret item a pod mounts is a key the site's bundles provide, and a
// PodDisruptionBudget keeps the validators' quorum. No cluster runs here: this is what is
// validated, not applied. A mutated copy of a manifest must be refused (the check can fail).
// Usage: node kubernetes_manifests.mjs DEPLOY_KUBERNETES_DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml');
const models = {
  'v1/Service': (await import('kubernetes-models/v1/Service')).Service,
  'v1/Secret': (await import('kubernetes-models/v1/Secret')).Secret,
  'apps/v1/StatefulSet': (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  'policy/v1/PodDisruptionBudget':
    (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
};

const dir = process.argv[2];
if (!dir) throw new Error('usage: node kubernetes_manifests.mjs DEPLOY_KUBERNETES_DIR');
const failures = [];
const fail = (msg) => failures.push(msg);

function validate(obj, where) {
  const Model = models[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) return `${where}: ${obj.apiVersion} ${obj.kind} is not a kind this check knows`;
  try {
    new Model(obj).validate();
    return null;
  } catch (e) {
    return `${where}: ${e.message.split('\n').slice(0, 4).join(' ')}`;
  }
}

const objects = [];
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const docs = yaml.loadAll(fs.readFileSync(path.join(dir, file), 'utf8')).filter(Boolean);
  docs.forEach((obj, i) => {
    const where = `${file}[${i}] ${obj.kind}/${obj.metadata?.name}`;
    const error = validate(obj, where);
    if (error) fail(error);
    objects.push({ obj, where });
  });
}
const byKind = (kind) => objects.filter((o) => o.obj.kind === kind);
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

const sets = byKind('StatefulSet');
for (const { obj: s, where } of sets) {
  const labels = s.spec.template.metadata.labels;
  if (!matches(s.spec.selector.matchLabels, labels)) fail(`${where}: selector misses its pods`);
  if (!byKind('Service').some(({ obj }) => obj.metadata.name === s.spec.serviceName)) {
    fail(`${where}: no Service ${s.spec.serviceName}`);
  }
  const ports = s.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
  for (const { obj: svc, where: w } of byKind('Service')) {
    if (!matches(svc.spec.selector, labels)) continue;
    for (const p of svc.spec.ports) {
      if (typeof p.targetPort === 'string' && !ports.includes(p.targetPort)) {
        fail(`${w}: targetPort ${p.targetPort} is no port of ${where}`);
      }
    }
  }
}

// The validators: n = 3f+1, stable names validator-0..n-1 reading their own bundle, the
// bundle Secret's items covering each of them, and a budget that keeps 2f+1 up.
const validators = sets.find(({ obj }) => obj.metadata.name === 'validator');
if (!validators) {
  fail('no StatefulSet "validator"');
} else {
  const s = validators.obj;
  const n = s.spec.replicas;
  const f = Math.floor((n - 1) / 3);
  if (n !== 3 * f + 1) fail(`validator: ${n} replicas is not 3f+1`);
  if (s.spec.podManagementPolicy !== 'Parallel') {
    fail('validator: pods must start in parallel (none is ready before a quorum runs)');
  }
  const c = s.spec.template.spec.containers[0];
  if (!c.args.join(' ').includes('$(POD_NAME).yaml')) fail('validator: args do not pick the pod\'s own config');
  if (!c.livenessProbe || !c.readinessProbe) fail('validator: liveness and readiness probes are required');
  if (!c.livenessProbe?.exec?.command.join(' ').includes('/healthz')) fail('validator: liveness is not /healthz');
  if (!c.readinessProbe?.exec?.command.join(' ').includes('/readyz')) fail('validator: readiness is not /readyz');
  if (s.spec.template.spec.securityContext.runAsNonRoot !== true) fail('validator: must not run as root');
  const bundle = s.spec.template.spec.volumes.find((v) => v.name === 'bundle');
  const paths = new Set((bundle?.secret?.items ?? []).map((it) => it.path));
  for (let i = 0; i < n; i++) {
    for (const p of [`validator-${i}.yaml`, `validator-${i}/genesis.json`, `validator-${i}/identity.pem`]) {
      if (!paths.has(p)) fail(`validator: the bundle Secret does not mount ${p}`);
    }
  }
  const pdb = byKind('PodDisruptionBudget').find(({ obj }) =>
    matches(obj.spec.selector.matchLabels, s.spec.template.metadata.labels));
  if (!pdb) fail('validator: no PodDisruptionBudget selects the validators');
  else if (pdb.obj.spec.maxUnavailable > f) fail(`validator: the budget lets more than f = ${f} go`);
  const peers = byKind('Service').find(({ obj }) => obj.metadata.name === s.spec.serviceName)?.obj;
  if (peers && (peers.spec.clusterIP !== 'None' || !peers.spec.publishNotReadyAddresses)) {
    fail('validator-peers: must be headless and publish not-ready pods (peers meet before ready)');
  }
}

// The check itself must be able to fail: a manifest with a wrong type is refused.
if (validators) {
  const broken = structuredClone(validators.obj);
  broken.spec.replicas = 'four';
  if (!validate(broken, 'mutant')) fail('the schema check accepted replicas: "four"');
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`${objects.length} objects valid against the Kubernetes API schemas: ` +
  objects.map((o) => o.where).join(', '));
