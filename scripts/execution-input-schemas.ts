import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ClusterExecutionInput, FleetExecutionInput } from '../lib/schemas/execution-input.js';

/** Where the generated schemas live, relative to the repository root. */
export const SCHEMA_DIR = 'schemas';

/**
 * The JSON Schemas (draft 2020-12) of both execution inputs, generated from the zod schemas the workflows
 * validate with, as the files of `schemas/` by name. `io: 'input'` describes what an operator writes: fields
 * with defaults are optional. Checks zod cannot express in JSON Schema (a role in the stated account, either
 * `clusters` or `selector`, no duplicate regions) are still enforced by ValidateInput / ValidateFleetInput.
 *
 * @example
 * executionInputSchemas()['fleet-execution-input.schema.json'].title // 'cni-fleet upgrade-fleet execution input'
 */
export function executionInputSchemas(): Record<string, Record<string, unknown>> {
  const generate = (schema: z.ZodType, title: string, description: string) => {
    // Throws on a zod type JSON Schema cannot express, rather than describing it as "anything".
    const { $schema, ...body } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
    return { $schema, title, description, ...body };
  };
  return {
    'cluster-execution-input.schema.json': generate(
      ClusterExecutionInput,
      'cni-fleet upgrade-cluster execution input',
      'Input of the cni-fleet-<stage>-upgrade-cluster state machine (lib/schemas/execution-input.ts ClusterExecutionInput).',
    ),
    'fleet-execution-input.schema.json': generate(
      FleetExecutionInput,
      'cni-fleet upgrade-fleet execution input',
      'Input of the cni-fleet-<stage>-upgrade-fleet state machine (lib/schemas/execution-input.ts FleetExecutionInput). Give either "clusters" or "selector".',
    ),
  };
}

/** The text written for one schema: two-space JSON and a final newline, so the committed file diffs cleanly. */
export const schemaText = (schema: Record<string, unknown>): string => `${JSON.stringify(schema, null, 2)}\n`;

// `npm run schemas` regenerates the committed files; test/deploy/execution-inputs.test.ts fails when they drift.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const [file, schema] of Object.entries(executionInputSchemas())) {
    writeFileSync(join(root, SCHEMA_DIR, file), schemaText(schema));
    console.log(`wrote ${SCHEMA_DIR}/${file}`);
  }
}
