// Hugging Face `datasets` from PyPI, to prove an exported JSONL file loads the way training
// pipelines load it (`datasets.load_dataset("json", …)`). A folder of its own: its dependencies
// (pyarrow, pandas, …) never mix with confluent-kafka's.
import { join } from 'node:path';
import { ensureCached } from '../stack/install/cached.ts';
import { pipInstallTarget } from '../stack/install/pip.ts';
import { stackPaths } from '../stack/paths.ts';

const VERSION = '5.2.0';

/** Returns the PYTHONPATH holding `datasets`; installs it once per machine. */
export async function hfDatasetsPythonPath(): Promise<string> {
  return ensureCached(join(stackPaths().cache, `python-datasets-${VERSION}`), (dir) =>
    pipInstallTarget(dir, `datasets==${VERSION}`),
  );
}

/** Loads a JSONL file with `datasets.load_dataset("json")` and prints its rows and features. */
export const hfLoadJsonlScript = join(import.meta.dirname, 'hf_load_jsonl.py');
