// npm run dataset -- export --format <format>[,…] (--out FILE | --out-dir DIR) [--since ISO]
//   [--until ISO] [--model VERSION] [--topic TOPIC] [--explain]
// Fine-tuning datasets from the feedback topic (docs/dataset.md). Exit 0: every file written and
// every live record accounted for; 1: a record left out for no known reason, or one unreadable;
// 2: a bad flag.
import { loadConfig } from '../../core/config.ts';
import { exportDatasets } from '../../connectors/dataset/exportDatasets.ts';
import { describeFilter, describeOutcome, describeSnapshot } from '../../connectors/dataset/exportReport.ts';
import { readFeedbackSnapshot } from '../../connectors/dataset/feedbackSnapshot.ts';
import { topics } from '../../schemas/catalog.ts';
import { datasetUsage, parseDatasetArgs, UsageError } from './datasetArgs.ts';
import { progressPrinter } from './progress.ts';
import { runCli } from './runCli.ts';

runCli(async ([command, ...argv]) => {
  if (command !== 'export') {
    console.error(
      command === undefined ? datasetUsage : `error: unknown command "${command}"\n${datasetUsage}`,
    );
    return 2;
  }
  let args;
  try {
    args = parseDatasetArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n${datasetUsage}`);
    return 2;
  }
  const config = loadConfig().clients;
  const topic = args.topic ?? topics.feedback;
  console.error(`reading ${topic} from the beginning to its end offsets now`);
  const progress = progressPrinter('offsets');
  const snapshot = await readFeedbackSnapshot(config, { topic, onProgress: progress });
  progress.finish();
  const outcomes = await exportDatasets(snapshot.records, args.targets, args.filter);
  for (const line of [
    ...describeSnapshot(snapshot),
    describeFilter(args.filter),
    ...outcomes.flatMap((o) => describeOutcome(o, { explain: args.explain })),
  ])
    console.log(line);
  const ok = outcomes.every((o) => o.written) && snapshot.unreadable.length === 0;
  return ok ? 0 : 1;
});
