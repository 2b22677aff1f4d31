// Every exported line is checked against its format's JSON Schema (schemas/<format>.schema.json,
// written from the OpenAI and TRL docs) before anything is written. The formats build lines from
// valid records, so a line that fails is a bug here: it stops the export, naming line and error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FormatName } from './formats/index.ts';

export const datasetSchemasDir = join(import.meta.dirname, 'schemas');

export const schemaPath = (format: FormatName) => join(datasetSchemasDir, `${format}.schema.json`);

export class InvalidLineError extends Error {
  override name = 'InvalidLineError';
  constructor(
    readonly format: FormatName,
    readonly lineNumber: number,
    readonly problems: string,
  ) {
    super(`${format} line ${lineNumber} does not match ${format}.schema.json: ${problems}`);
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = new Map<FormatName, ValidateFunction>();

function validator(format: FormatName): ValidateFunction {
  let validate = validators.get(format);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath(format), 'utf8')) as object);
    validators.set(format, validate);
  }
  return validate;
}

/** Throws InvalidLineError unless `line` (one JSONL line, 1-based `lineNumber`) matches the schema. */
export function validateLine(format: FormatName, line: string, lineNumber: number): void {
  const validate = validator(format);
  if (!validate(JSON.parse(line)))
    throw new InvalidLineError(format, lineNumber, ajv.errorsText(validate.errors));
}
