import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../lib/errors.js';
import { resolveOutputFormat } from '../../lib/cli/output.js';
import { executionConsoleUrl, parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { checkExecutionInput, executionNameFor } from '../../lib/operator/execution-input-file.js';
import { stackNameFor } from '../../lib/operator/stack-outputs.js';

// What `start` checks on the operator's machine before any AWS call, and the names it derives.
describe('checkExecutionInput', () => {
  // [case, input text, --machine, expected message]
  const refused: [string, string, 'fleet' | 'cluster' | undefined, string][] = [
    ['not JSON', '{"clusters": [', undefined, '--input: in.json is not JSON'],
    ['an array', '[]', undefined, '--input: in.json must hold a JSON object'],
    ['an unknown key', '{"clusters":[{"name":"a","region":"us-east-1"}],"target":"latest"}', undefined, 'target: unknown key "target"'],
    ['a bad version', '{"cluster":{"name":"a","region":"us-east-1"},"options":{"target":"1.19"}}', undefined, 'options.target'],
    ['a cluster name EKS rejects', '{"clusters":[{"name":"-bad","region":"us-east-1"}]}', undefined, 'clusters[0].name: must start with a letter or digit'],
    ['both list and selector', '{"clusters":[{"name":"a","region":"us-east-1"}],"selector":{"regions":["us-east-1"]}}', undefined, 'clusters: give exactly one of "clusters"'],
    ['a fleet input for the cluster machine', '{"clusters":[{"name":"a","region":"us-east-1"}]}', 'cluster', '(cluster execution input in.json)'],
    ['a bad runId', '{"runId":"a b","cluster":{"name":"a","region":"us-east-1"}}', undefined, 'runId: must be 1-80 letters'],
  ];

  it.each(refused)('refuses %s, naming the field', (_case, text, machine, message) => {
    // Act
    const act = () => checkExecutionInput(text, 'in.json', machine);

    // Assess
    expect(act).toThrow(InputValidationError);
    expect(act).toThrow(message);
  });

  it('keeps the input as written, adding only trigger "cli", and infers the machine', () => {
    // Act
    const fleet = checkExecutionInput('{"selector":{"regions":["eu-west-1"],"tags":{"env":"dev"}},"runId":"weekly-dev"}', 'in.json');
    const cluster = checkExecutionInput('{"cluster":{"name":"prod","region":"eu-west-1"},"trigger":"console"}', 'in.json');

    // Assess
    expect(fleet).toEqual({ machine: 'fleet', runId: 'weekly-dev', input: { selector: { regions: ['eu-west-1'], tags: { env: 'dev' } }, runId: 'weekly-dev', trigger: 'cli' } });
    expect(cluster).toEqual({ machine: 'cluster', runId: undefined, input: { cluster: { name: 'prod', region: 'eu-west-1' }, trigger: 'console' } });
  });
});

describe('executionNameFor', () => {
  it('names the execution after the runId, else --name, else a generated cli- name', () => {
    // Act
    const fromRunId = executionNameFor({ runId: 'weekly-dev' });
    const same = executionNameFor({ runId: 'weekly-dev', name: 'weekly-dev' });
    const fromName = executionNameFor({ name: 'hotfix-1' });
    const generated = executionNameFor({}, new Date('2026-11-22T03:00:00.123Z'));

    // Assess
    expect([fromRunId, same, fromName]).toEqual(['weekly-dev', 'weekly-dev', 'hotfix-1']);
    expect(generated).toMatch(/^cli-20261122T030000Z-[0-9a-f]{6}$/);
  });

  it('refuses a --name that contradicts the runId or is not an execution name', () => {
    // Assess
    expect(() => executionNameFor({ runId: 'a', name: 'b' })).toThrow('--name: "b" differs from the input\'s runId "a"');
    expect(() => executionNameFor({ name: 'has space' })).toThrow('--name: "has space" must be 1-80 letters');
  });
});

describe('execution ARNs, stack names and output formats', () => {
  it('splits an execution ARN and builds its console URL per partition', () => {
    // Prepare
    const arn = 'arn:aws-cn:states:cn-north-1:111122223333:execution:cni-fleet-prod-fleet:weekly-1';

    // Act
    const parts = parseExecutionArn(arn);

    // Assess
    expect(parts).toEqual({ partition: 'aws-cn', region: 'cn-north-1', accountId: '111122223333', stateMachineName: 'cni-fleet-prod-fleet', executionName: 'weekly-1' });
    expect(executionConsoleUrl(arn)).toBe(`https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/${arn}`);
    expect(() => parseExecutionArn('arn:aws:states:us-east-1:111122223333:stateMachine:x')).toThrow('EXECUTION_ARN: ');
  });

  it('names the stack cni-fleet-STAGE and refuses a stage that cannot be part of it', () => {
    // Assess
    expect(stackNameFor('prod')).toBe('cni-fleet-prod');
    expect(() => stackNameFor('prod_1')).toThrow('--stage: "prod_1" must start with a letter');
  });

  it('resolves the output format as the AWS CLI does: --json, --output, AWS_DEFAULT_OUTPUT, table', () => {
    // Assess
    expect(resolveOutputFormat({ json: true, output: 'table' }, {})).toBe('json');
    expect(resolveOutputFormat({ output: 'json' }, { AWS_DEFAULT_OUTPUT: 'table' })).toBe('json');
    expect(resolveOutputFormat({}, { AWS_DEFAULT_OUTPUT: 'json' })).toBe('json');
    expect(resolveOutputFormat({}, { AWS_DEFAULT_OUTPUT: 'yaml' })).toBe('table');
    expect(resolveOutputFormat({ output: 'text' }, {})).toBe('text');
    expect(resolveOutputFormat({}, {}, 'json')).toBe('json');
    expect(resolveOutputFormat({}, { AWS_DEFAULT_OUTPUT: 'text' }, 'json')).toBe('text');
    expect(() => resolveOutputFormat({ output: 'yaml' }, {})).toThrow('--output: "yaml" must be one of json, table, text');
  });
});
