import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ClusterExecutionInput, FleetExecutionInput } from '../../lib/schemas/execution-input.js';
import { executionInputSchemas, SCHEMA_DIR, schemaText } from '../../scripts/execution-input-schemas.js';

// examples/inputs/*.json are what an operator pastes into the Step Functions console (docs/deploy.md): each must
// be accepted by the schema its workflow validates with. The file name says which: cluster-* or fleet-*.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplesDir = join(root, 'examples', 'inputs');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort();
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const workflowOf = (file: string) => (file.startsWith('cluster-') ? 'cluster' : 'fleet');

describe('examples/inputs', () => {
  it('has the documented kinds of input', () => {
    // Assess
    expect(examples).toEqual(
      expect.arrayContaining(['cluster-one.json', 'cluster-pinned-target.json', 'cluster-cross-account.json', 'fleet-list.json', 'fleet-tag-selector.json', 'fleet-dry-run.json', 'fleet-cross-account.json']),
    );
    // One ready input per rollout control (docs/operating-a-run.md).
    expect(examples).toEqual(
      expect.arrayContaining(['fleet-bake-time.json', 'fleet-approval.json', 'fleet-alarms.json', 'fleet-windows.json', 'fleet-pausable.json', 'cluster-rollback.json']),
    );
    expect(examples.every((f) => /^(cluster|fleet)-[a-z-]+\.json$/.test(f))).toBe(true);
  });

  it.each(examples)('%s parses with its workflow schema', (file) => {
    // Prepare
    const schema = workflowOf(file) === 'cluster' ? ClusterExecutionInput : FleetExecutionInput;

    // Act
    const result = schema.safeParse(readJson(join(examplesDir, file)));

    // Assess
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(examples)('%s is valid against the committed JSON Schema', (file) => {
    // Prepare
    const ajv = new Ajv2020({ allErrors: true });
    const validate = ajv.compile(readJson(join(root, SCHEMA_DIR, `${workflowOf(file)}-execution-input.schema.json`)) as object);

    // Act
    const valid = validate(readJson(join(examplesDir, file)));

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('shows what each rollout control example asks for', () => {
    // Act
    const fleet = (file: string) => FleetExecutionInput.parse(readJson(join(examplesDir, file))).options;
    const rollback = ClusterExecutionInput.parse(readJson(join(examplesDir, 'cluster-rollback.json'))).rollback;

    // Assess
    expect(fleet('fleet-bake-time.json')).toMatchObject({ bakeSeconds: 1800, waves: { canary: { bakeSeconds: 86400 } } });
    expect(fleet('fleet-approval.json').approval).toEqual({ everyWave: true, timeoutSeconds: 86400 });
    expect(fleet('fleet-alarms.json').alarms).toMatchObject({ names: ['payments-5xx', 'checkout-latency-p99'], whileInAlarm: 'pause' });
    expect(fleet('fleet-windows.json').windows).toEqual({ tag: 'cni-fleet/window', outside: 'wait', maxWaitSeconds: 86400 });
    expect(fleet('fleet-pausable.json')).toMatchObject({ controlPollSeconds: 60, maxPauseSeconds: 43200 });
    expect(rollback).toEqual({ from: 'v1.21.1-eksbuild.8', to: 'v1.20.5-eksbuild.1', reason: 'aws-node not Ready after the hop' });
  });

  it('shows what each example asks for', () => {
    // Act
    const parse = (file: string) => readJson(join(examplesDir, file));
    const dryRun = FleetExecutionInput.parse(parse('fleet-dry-run.json'));
    const pinned = ClusterExecutionInput.parse(parse('cluster-pinned-target.json'));
    const selector = FleetExecutionInput.parse(parse('fleet-tag-selector.json'));
    const crossAccount = FleetExecutionInput.parse(parse('fleet-cross-account.json'));

    // Assess
    expect(dryRun.options.dryRun).toBe(true);
    expect(pinned.options.target).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    expect(selector.selector?.regions.length).toBeGreaterThan(1);
    expect(Object.keys(selector.selector?.tags ?? {}).length).toBeGreaterThan(0);
    expect(crossAccount.selector?.accounts?.every((a) => a.roleArn.includes(`::${a.accountId}:role/`))).toBe(true);
  });
});

describe('schemas/*.schema.json', () => {
  it.each(Object.entries(executionInputSchemas()))('%s equals what the zod schema generates (npm run schemas)', (file, schema) => {
    // Act
    const committed = readFileSync(join(root, SCHEMA_DIR, file), 'utf8');

    // Assess
    expect(committed).toBe(schemaText(schema));
  });

  it('rejects what the workflows reject: an unknown key, a bad cluster name, a number out of range', () => {
    // Prepare
    const ajv = new Ajv2020({ allErrors: true });
    const validate = ajv.compile(executionInputSchemas()['cluster-execution-input.schema.json']!);
    const good = { cluster: { name: 'payments-prod', region: 'us-east-1' } };

    // Act
    const verdicts = [
      validate(good),
      validate({ ...good, colour: 'blue' }),
      validate({ cluster: { name: '-payments', region: 'us-east-1' } }),
      validate({ ...good, options: { concurrency: 0 } }),
    ];

    // Assess
    expect(verdicts).toEqual([true, false, false, false]);
  });
});
