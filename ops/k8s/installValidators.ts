// The offline validators of the cluster manifests, installed once per machine into the cache (like
// ops/interop/installSchemathesis.ts), each from a package registry:
// - PyPI kubernetes-validate: Kubernetes' JSON schemas for every core kind, per Kubernetes version,
//   with strict variants (unknown fields rejected); it brings PyYAML, which parses the manifests.
// - PyPI cloudcoil-models-keda: pydantic models generated from KEDA's CRDs (the newest version this
//   machine's PyPI serves is 2.16.1.0, i.e. KEDA 2.16.1).
// - Maven Central io.strimzi:api: Strimzi's API model, the classes its CRDs are generated from, read
//   by StrimziModelCheck.java (compiled here once per source version).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../stack/exec.ts';
import { ensureCached } from '../stack/install/cached.ts';
import { copyDependencies } from '../stack/install/maven.ts';
import { pipInstallTarget } from '../stack/install/pip.ts';
import { stackPaths } from '../stack/paths.ts';

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
export const KEDA_MODELS_VERSION = '2.16.1.0';
export const STRIMZI_API_VERSION = '0.51.0';

const STRIMZI_SOURCES = ['StrimziModelCheck.java', 'CrdGeneratorAnnotations.java'].map((file) =>
  join(import.meta.dirname, 'strimzi', file),
);

export interface PythonValidator {
  /** PYTHONPATH holding kubernetes-validate (and PyYAML), then cloudcoil-models-keda. */
  pythonPath: string;
  /** `python3 validate_manifests.py`; append --kubernetes-version and the files. */
  command: string[];
}

export interface StrimziValidator {
  /** `java -cp … dev.parley.k8s.StrimziModelCheck`; append the input JSON file. */
  command: string[];
}

/** Installs kubernetes-validate and KEDA's models once per machine; returns how to run the check. */
export async function pythonValidator(): Promise<PythonValidator> {
  const cache = stackPaths().cache;
  const kubernetesValidate = await ensureCached(
    join(cache, `python-kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`),
    (dir) => pipInstallTarget(dir, `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`),
  );
  const kedaModels = await ensureCached(
    join(cache, `python-cloudcoil-models-keda-${KEDA_MODELS_VERSION}`),
    (dir) => pipInstallTarget(dir, `cloudcoil-models-keda==${KEDA_MODELS_VERSION}`),
  );
  return {
    pythonPath: [kubernetesValidate, kedaModels].join(':'),
    command: ['python3', join(import.meta.dirname, 'validate_manifests.py')],
  };
}

/** Fetches Strimzi's API model and compiles the check against it, once per machine and source. */
export async function strimziValidator(): Promise<StrimziValidator> {
  const cache = stackPaths().cache;
  const api = await ensureCached(join(cache, `strimzi-api-${STRIMZI_API_VERSION}`), (dir) =>
    copyDependencies(dir, [{ groupId: 'io.strimzi', artifactId: 'api', version: STRIMZI_API_VERSION }]),
  );
  const classpath = `${join(api, 'libs')}/*`;
  const digest = createHash('sha256');
  for (const source of STRIMZI_SOURCES) digest.update(await readFile(source));
  const classes = await ensureCached(
    join(cache, `strimzi-model-check-${STRIMZI_API_VERSION}-${digest.digest('hex').slice(0, 12)}`),
    async (dir) => {
      await run(['javac', '-nowarn', '-d', dir, '-cp', classpath, ...STRIMZI_SOURCES]);
    },
  );
  return { command: ['java', '-cp', `${classes}:${classpath}`, 'dev.parley.k8s.StrimziModelCheck'] };
}
