// Confluent's Python client (with its Avro deserializer) from PyPI, for interoperability tests.
import { join } from 'node:path';
import { ensureCached } from '../stack/install/cached.ts';
import { pipInstallTarget } from '../stack/install/pip.ts';
import { stackPaths } from '../stack/paths.ts';

const PACKAGE = 'confluent-kafka[avro,schemaregistry]==2.16.1';

/** Returns the PYTHONPATH holding confluent-kafka; installs it once per machine. */
export async function confluentPythonPath(): Promise<string> {
  return ensureCached(join(stackPaths().cache, 'python-confluent-kafka-2.16.1'), (dir) =>
    pipInstallTarget(dir, PACKAGE),
  );
}

export const confluentConsumeScript = join(import.meta.dirname, 'confluent_avro_consume.py');
