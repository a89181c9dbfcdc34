import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FUNCTION_BUILDERS } from '../../functions/index.js';
import { readConfig } from '../../lib/config.js';
import * as errors from '../../lib/errors.js';
import { ClusterExecutionInput, FleetExecutionInput } from '../../lib/schemas/execution-input.js';
import { progressTableDefinition, TTL_ATTRIBUTE } from '../../lib/store/table-definition.js';

// `npm run package` (osls + serverless-esbuild + serverless-step-functions) run once, offline and without AWS
// credentials, into a temporary directory; every check below reads the CloudFormation template it produced.
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Resource {
  Type: string;
  Properties: JsonObject;
  Condition?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: Json }>;
  Parameters: Record<string, { Type: string; Default?: Json }>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: JsonObject;
  /** The CloudFormation condition the statement depends on (Fn::If), if any. */
  onlyIf?: string;
}
interface AslState {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  States?: Record<string, AslState>;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

const STACK_PREFIX = 'cni-fleet-dev';
// The longest Region names today (ap-southeast-5, …) have 14 characters; one spare.
const LONGEST_REGION = 'xx-xxxxxxxxxx-1';
// Actions for which AWS defines no resource type, so `Resource: "*"` is the only form IAM accepts.
const STAR_RESOURCE_ACTIONS = new Set([
  'eks:ListClusters',
  'eks:DescribeAddonVersions',
  'eks:DescribeAddonConfiguration',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);
// Error names that AWS itself raises: the ASL's own (States.*), Lambda's invoke errors and service integrations.
const AWS_ERROR_PREFIXES = ['States.', 'Lambda.', 'Sandbox.', 'StepFunctions.'];

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Policy statements, with Fn::If unwrapped: the statement the condition switches on, or none for AWS::NoValue. */
function statementsOf(document: Json): Statement[] {
  if (!isObject(document)) return [];
  return asArray(document['Statement'] ?? []).flatMap((entry): Statement[] => {
    if (isObject(entry) && Array.isArray(entry['Fn::If'])) {
      const [condition, whenTrue, whenFalse] = entry['Fn::If'] as [string, Json, Json];
      expect(whenFalse, `${condition}: the other branch is AWS::NoValue`).toEqual({ Ref: 'AWS::NoValue' });
      return [{ ...(whenTrue as unknown as Statement), onlyIf: condition }];
    }
    return [entry as unknown as Statement];
  });
}

/** `{"Fn::Sub": "arn:…"}` → its text; anything else → its JSON. */
const resourceText = (resource: Json): string => (isObject(resource) && typeof resource['Fn::Sub'] === 'string' ? resource['Fn::Sub'] : JSON.stringify(resource));

/** Every state of a definition, Map and Parallel bodies included. */
function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    [name, state],
    ...allStates(state.ItemProcessor?.States ?? state.Iterator?.States ?? {}),
    ...(state.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);
}

/** The definition as deployed: the plugin turns `Fn::GetAtt`/`Ref` into Fn::Sub variables of DefinitionString. */
function definitionOf(stateMachine: Resource): { states: [string, AslState][]; variables: Record<string, Json> } {
  const definition = stateMachine.Properties['DefinitionString'];
  const [text, variables] = isObject(definition) && Array.isArray(definition['Fn::Sub']) ? (definition['Fn::Sub'] as [string, Record<string, Json>]) : [String(definition), {}];
  const parsed = JSON.parse(text) as { States: Record<string, AslState> };
  return { states: allStates(parsed.States), variables };
}

/** The names of the classes in lib/errors.ts that extend CniFleetError, checked against their `name` literal. */
function errorClassNames(): string[] {
  const source = readFileSync(join(root, 'lib', 'errors.ts'), 'utf8');
  const literals = new Map([...source.matchAll(/export class (\w+) extends \w+ \{\s*override readonly name = '(\w+)' as const;/g)].map((m) => [m[1]!, m[2]!]));
  const classes = Object.entries(errors)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.CniFleetError)
    .map(([key]) => key);
  for (const name of classes) expect(literals.get(name), `${name} sets name = '${name}' as const`).toBe(name);
  return classes;
}

/**
 * lib/ files whose code one lib/steps module can run: relative imports of which some imported name is called
 * (`offeredBuilds(…)`), so importing a constant (`ADDON_NAME`) does not count as calling its module's EKS code.
 */
function reachableSources(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^import \{([^}]*)\} from '(\.[^']+)\.js';/gm)) {
    const names = m[1]!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '));
    if (names.some((name) => new RegExp(`\\b${name}\\(`).test(source))) reachableSources(join(dirname(file), `${m[2]!}.ts`), seen);
  }
  return seen;
}

/** The EKS actions a step's code can call: `new XCommand` / `paginateX` imported from @aws-sdk/client-eks. */
function eksActionsCalledBy(stepFile: string): Set<string> {
  const actions = new Set<string>();
  for (const file of reachableSources(stepFile)) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-eks';/g)) {
      for (const name of m[1]!.split(',').map((n) => n.trim())) {
        const action = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (action && new RegExp(`\\b${name}\\b`).test(source.replace(m[0], ''))) actions.add(`eks:${action}`);
      }
    }
  }
  return actions;
}

/**
 * The DynamoDB actions behind each progress-store method (lib/store/progress-store.ts): the write or read itself,
 * plus the GetItem with which a create-once put or a conditional update reads the stored item back on a conflict.
 */
const STORE_METHOD_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  putRun: ['PutItem', 'GetItem'],
  getRun: ['GetItem'],
  finishRun: ['UpdateItem', 'GetItem'],
  putCluster: ['PutItem', 'GetItem'],
  getCluster: ['GetItem'],
  updateCluster: ['UpdateItem'],
  putSnapshot: ['PutItem', 'GetItem'],
  putPlan: ['PutItem', 'GetItem'],
  startHop: ['PutItem', 'GetItem'],
  getHop: ['GetItem'],
  updateHop: ['UpdateItem', 'GetItem'],
  listRunClusters: ['Query'],
  getRunCluster: ['Query'],
  clusterHistory: ['Query'],
  clusterHistoryByName: ['Query'],
  acquireLock: ['PutItem', 'GetItem'],
  renewLock: ['UpdateItem', 'GetItem'],
  releaseLock: ['DeleteItem'],
  getLock: ['GetItem'],
  // The fleet records (lib/store/fleet-records.ts).
  putClusterList: ['BatchWriteItem'],
  readClusterList: ['Query'],
  putLanes: ['BatchWriteItem'],
  getLane: ['GetItem', 'Query'],
  markLaneDiscovered: ['UpdateItem'],
  listUndiscoveredLanes: ['Query'],
  putDiscoveredClusters: ['BatchWriteItem'],
  listLaneClusters: ['Query'],
  putWaveMembers: ['BatchWriteItem'],
  listWaveLanes: ['Query'],
  getWaveMembers: ['GetItem'],
  putWaves: ['BatchWriteItem'],
  getWave: ['GetItem'],
  initRunCounts: ['UpdateItem'],
  addRunCounts: ['UpdateItem'],
  getRunCounts: ['GetItem'],
  markHalted: ['UpdateItem'],
  getClusterOutcomes: ['BatchGetItem'],
};

/** The DynamoDB actions a step's code needs: every `store.<method>(` in the sources it reaches. */
function dynamoActionsCalledBy(stepFile: string): Set<string> {
  const actions = new Set<string>();
  // The store itself is the implementation (its doc comments show calls), not a caller.
  for (const file of [...reachableSources(stepFile)].filter((f) => !f.includes(`${join('lib', 'store')}`))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bstore\.(\w+)\(/g)) {
      const needed = STORE_METHOD_ACTIONS[m[1]!];
      expect(needed, `${relative(root, file)} calls store.${m[1]!}: add it to STORE_METHOD_ACTIONS`).toBeDefined();
      for (const action of needed!) actions.add(`dynamodb:${action}`);
    }
  }
  return actions;
}

/** functions/<file>.ts imports its step from ../lib/steps/<file>.js. */
function stepFileOf(handler: string): string {
  const functionFile = join(root, `${handler.replace(/\.handler$/, '')}.ts`);
  const step = /from '\.\.\/lib\/steps\/([\w-]+)\.js'/.exec(readFileSync(functionFile, 'utf8'))?.[1];
  expect(step, `${relative(root, functionFile)} imports a lib/steps module`).toBeDefined();
  return join(root, 'lib', 'steps', `${step!}.ts`);
}

describe('serverless package (dev stage)', () => {
  let packageDir: string;
  let templatePath: string;
  let template: Template;
  let stageParams: { schedules: { schedule: { input: unknown; timezone?: string; name: string } }[]; clusterNamePrefix: string; cniRoleNamePattern: string };
  const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const functions = () => resourcesOfType('AWS::Lambda::Function');
  const roleOf = (fn: Resource): Resource => {
    const role = fn.Properties['Role'];
    const logicalId = isObject(role) && Array.isArray(role['Fn::GetAtt']) ? String(role['Fn::GetAtt'][0]) : '';
    expect(template.Resources[logicalId]?.Type, `role of ${String(fn.Properties['FunctionName'])}`).toBe('AWS::IAM::Role');
    return template.Resources[logicalId]!;
  };
  const policyStatements = (role: Resource): Statement[] =>
    asArray(role.Properties['Policies'] ?? []).flatMap((p) => (isObject(p) ? statementsOf(p['PolicyDocument'] ?? null) : []));
  const allStatements = (): [string, Statement][] =>
    [...resourcesOfType('AWS::IAM::Role'), ...resourcesOfType('AWS::IAM::Policy'), ...resourcesOfType('AWS::IAM::ManagedPolicy')].flatMap(([id, r]) =>
      (r.Type === 'AWS::IAM::Role' ? policyStatements(r) : statementsOf(r.Properties['PolicyDocument'] ?? null)).map((s): [string, Statement] => [id, s]),
    );

  beforeAll(async () => {
    packageDir = mkdtempSync(join(tmpdir(), 'cni-fleet-package-'));
    // A user without credentials: no keys, no profile files, no instance metadata.
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(packageDir, 'none'), AWS_CONFIG_FILE: join(packageDir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[key];
    await run(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--stage', 'dev', '--package', packageDir], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
    templatePath = join(packageDir, 'cloudformation-template-update-stack.json');
    template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
    const config = parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as { params: Record<string, Record<string, unknown>> };
    stageParams = { ...config.params['default'], ...config.params['dev'] } as typeof stageParams;
  }, 180_000);
  afterAll(() => {
    if (packageDir) rmSync(packageDir, { recursive: true, force: true });
  });

  describe('workflows and triggers', () => {
    it('has both state machines and the outputs the operator CLI reads by name', () => {
      // Assess
      expect(template.Resources['UpgradeClusterStateMachine']?.Type).toBe('AWS::StepFunctions::StateMachine');
      expect(template.Resources['UpgradeFleetStateMachine']?.Type).toBe('AWS::StepFunctions::StateMachine');
      expect(template.Outputs['UpgradeClusterStateMachineArn']?.Value).toEqual({ Ref: 'UpgradeClusterStateMachine' });
      expect(template.Outputs['UpgradeFleetStateMachineArn']?.Value).toEqual({ Ref: 'UpgradeFleetStateMachine' });
      expect(template.Outputs['ProgressTableName']?.Value).toEqual({ Ref: 'ProgressTable' });
      for (const id of ['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine']) {
        const name = String(template.Resources[id]!.Properties['StateMachineName']);
        expect(name.startsWith(STACK_PREFIX) && name.length <= 80, name).toBe(true);
      }
    });

    it('starts the cluster workflow as a child of the fleet workflow', () => {
      // Prepare
      const { states, variables } = definitionOf(template.Resources['UpgradeFleetStateMachine']!);

      // Act
      const child = states.find(([, s]) => /^\$\{\w+\}$/.test(String(s.Resource)) && resourceText(variables[String(s.Resource).slice(2, -1)] ?? null) === 'arn:${AWS::Partition}:states:::states:startExecution.sync:2');

      // Assess: the partition comes from the stack, so the template deploys in aws-cn and aws-us-gov too.
      expect(child).toBeDefined();
      expect(JSON.stringify(template.Resources['UpgradeFleetStateMachine']!.Properties['DefinitionString'])).not.toContain('arn:aws:');
      const parameters = (child![1] as unknown as { Parameters: { StateMachineArn: string } }).Parameters;
      expect(variables[parameters.StateMachineArn.replace(/^\$\{|\}$/g, '')]).toEqual({ Ref: 'UpgradeClusterStateMachine' });
    });

    it('has one EventBridge Scheduler schedule per stage param, with a time zone and a valid fleet input', () => {
      // Prepare
      const schedules = resourcesOfType('AWS::Scheduler::Schedule');

      // Assess
      expect(stageParams.schedules.length).toBeGreaterThan(0);
      expect(schedules).toHaveLength(stageParams.schedules.length);
      for (const [, schedule] of schedules) {
        const target = schedule.Properties['Target'] as JsonObject;
        expect(target['Arn']).toEqual({ Ref: 'UpgradeFleetStateMachine' });
        expect(schedule.Properties['ScheduleExpressionTimezone']).toBeTypeOf('string');
        expect(String(schedule.Properties['ScheduleExpression'])).toMatch(/^(cron|rate)\(.+\)$/);
        const input = FleetExecutionInput.safeParse(JSON.parse(String(target['Input'])));
        expect(input.success, JSON.stringify(input.error?.issues)).toBe(true);
        expect(input.data?.trigger).toBe('schedule');
        // The scheduler's role may start the fleet workflow and nothing else.
        const roleId = String((target['RoleArn'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
        const statements = policyStatements(template.Resources[roleId]!);
        expect(statements.map((s) => [asArray(s.Action), s.Resource])).toEqual([[['states:StartExecution'], { Ref: 'UpgradeFleetStateMachine' }]]);
      }
    });

    it('has the UpdateClusterVersion rule, disabled by default, starting a valid cluster input', () => {
      // Prepare
      const [, rule] = resourcesOfType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('UpdateClusterVersion'))!;
      const target = (rule.Properties['Targets'] as JsonObject[])[0]!;
      const transformer = target['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
      // What EventBridge does with a CloudTrail event of `aws eks update-cluster-version --name payments-prod`.
      const event = { region: 'eu-central-1', detail: { requestParameters: { name: 'payments-prod', version: '1.31' } } };
      const valueAt = (path: string): unknown => path.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event);

      // Act
      const input = transformer.InputTemplate.replace(/<(\w+)>/g, (_, key: string) => JSON.stringify(valueAt(transformer.InputPathsMap[key]!)));

      // Assess
      expect(rule.Properties['State']).toBe('DISABLED');
      expect(rule.Properties['EventPattern']).toMatchObject({ source: ['aws.eks'], detail: { eventName: ['UpdateClusterVersion'] } });
      expect(target['Arn']).toEqual({ Ref: 'UpgradeClusterStateMachine' });
      expect(ClusterExecutionInput.parse(JSON.parse(input))).toMatchObject({ cluster: { name: 'payments-prod', region: 'eu-central-1' }, trigger: 'event' });
    });

    it('announces run and cluster outcomes on SNS and alarms on failed executions', () => {
      // Prepare
      const rules = resourcesOfType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('Step Functions Execution Status Change'));
      const alarms = resourcesOfType('AWS::CloudWatch::Alarm');

      // Assess
      expect(rules.map(([, r]) => JSON.stringify((r.Properties['EventPattern'] as { detail: { stateMachineArn: Json } }).detail.stateMachineArn)).sort()).toEqual(
        [JSON.stringify([{ Ref: 'UpgradeClusterStateMachine' }]), JSON.stringify([{ Ref: 'UpgradeFleetStateMachine' }])],
      );
      for (const [, rule] of rules) expect((rule.Properties['Targets'] as JsonObject[])[0]!['Arn']).toEqual({ Ref: 'NotificationTopic' });
      expect(alarms.map(([, a]) => [a.Properties['MetricName'], (a.Properties['Dimensions'] as JsonObject[])[0]!['Value']])).toEqual(
        expect.arrayContaining([
          ['ExecutionsFailed', { Ref: 'UpgradeFleetStateMachine' }],
          ['ExecutionsFailed', { Ref: 'UpgradeClusterStateMachine' }],
        ]),
      );
    });

    it('carries a FAILED fleet run’s cause (what failed, where it halted) into its notification', () => {
      // Prepare: the execution status change event of a fleet run that ended FAILED (statemachines/upgrade-fleet.asl.json RunFailed).
      const [, rule] = resourcesOfType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('"UpgradeFleetStateMachine"'))!;
      const transformer = (rule.Properties['Targets'] as JsonObject[])[0]!['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
      const cause = '3 of 120 clusters FAILED; halted before wave 2 (1): 3 cluster(s) FAILED, failure threshold 1';
      const event = { detail: { name: 'weekly-48', status: 'FAILED', executionArn: 'arn:aws:states:eu-central-1:111122223333:execution:x:weekly-48', error: 'FleetRunFailed', cause } };
      const valueAt = (path: string): unknown => path.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event);

      // Act: EventBridge puts each value in place of its <name>; a string inside the template's quotes goes in as text.
      const message = transformer.InputTemplate.replace(/<(\w+)>/g, (_, key: string) => String(valueAt(transformer.InputPathsMap[key]!)));

      // Assess
      expect(message).toContain('cni-fleet run weekly-48 ended FAILED. 3 of 120 clusters FAILED; halted before wave 2');
      const { states } = definitionOf(template.Resources['UpgradeFleetStateMachine']!);
      expect(states.find(([name]) => name === 'RunFailed')?.[1]).toMatchObject({ Type: 'Fail', Error: 'FleetRunFailed', CausePath: '$.summary.cause' });
    });
  });

  describe('functions', () => {
    it('packages exactly the functions of functions/index.ts FUNCTION_BUILDERS, on nodejs22.x arm64', () => {
      // Prepare
      const names = functions().map(([, f]) => String(f.Properties['FunctionName']));

      // Assess
      expect(names.sort()).toEqual(Object.keys(FUNCTION_BUILDERS).map((key) => `${STACK_PREFIX}-${key}`).sort());
      for (const [, fn] of functions()) {
        expect(fn.Properties['Runtime']).toBe('nodejs22.x');
        expect(fn.Properties['Architectures']).toEqual(['arm64']);
        const zip = join(packageDir, String((fn.Properties['Code'] as JsonObject)['S3Key']).split('/').pop()!);
        expect(statSync(zip).size, zip).toBeGreaterThan(1000);
        expect(existsSync(join(root, `${String(fn.Properties['Handler']).replace(/\.handler$/, '')}.ts`))).toBe(true);
      }
    });

    it('every Task resolves to a packaged function, and every function is some Task', () => {
      // Prepare
      const used = new Set<string>();

      // Act
      for (const id of ['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine']) {
        const { states, variables } = definitionOf(template.Resources[id]!);
        for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
          const reference = variables[String(state.Resource).replace(/^\$\{|\}$/g, '')];
          // Service integrations (startExecution.sync:2) are ARNs of Step Functions itself, not functions.
          if (resourceText(reference ?? null).includes(':states:::')) continue;
          const logicalId = isObject(reference) && Array.isArray(reference['Fn::GetAtt']) ? String(reference['Fn::GetAtt'][0]) : '';
          expect(template.Resources[logicalId]?.Type, `${id}.${name}`).toBe('AWS::Lambda::Function');
          used.add(logicalId);
        }
      }

      // Assess
      expect([...used].sort()).toEqual(functions().map(([id]) => id).sort());
    });

    it('function, role and state machine role names fit IAM and Lambda limits (64 characters)', () => {
      // Assess
      for (const [, fn] of functions()) expect(String(fn.Properties['FunctionName']).length).toBeLessThanOrEqual(64);
      for (const [id, role] of resourcesOfType('AWS::IAM::Role')) {
        const name = role.Properties['RoleName'];
        if (name === undefined) continue;
        const text = resourceText(name).replace('${AWS::Region}', LONGEST_REGION);
        expect(text.length, id).toBeLessThanOrEqual(64);
      }
    });

    it('sets the environment lib/config.ts reads', () => {
      // Assess
      for (const [, fn] of functions()) {
        const variables = (fn.Properties['Environment'] as { Variables: Record<string, Json> }).Variables;
        expect(variables['TABLE_NAME']).toEqual({ Ref: 'ProgressTable' });
        expect(variables['CNI_FLEET_ACCOUNT_ID']).toEqual({ Ref: 'AWS::AccountId' });
        const config = readConfig({ TABLE_NAME: `${STACK_PREFIX}-progress`, CNI_FLEET_ACCOUNT_ID: '111122223333', AWS_REGION: 'eu-central-1', RETENTION_DAYS: String(variables['RETENTION_DAYS']) });
        expect(config.retentionDays).toBeGreaterThan(0);
      }
    });
  });

  describe('error names', () => {
    it('every error name in Retry/Catch is an error class, and every workflow error class is in some Retry/Catch', () => {
      // Prepare
      const classes = errorClassNames();
      const internal = Object.keys(errors.ERRORS_NOT_MATCHED_IN_WORKFLOWS);

      // Act
      const matched = new Set(
        ['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine']
          .flatMap((id) => definitionOf(template.Resources[id]!).states)
          .flatMap(([, s]) => [...(s.Retry ?? []), ...(s.Catch ?? [])])
          .flatMap((r) => r.ErrorEquals)
          .filter((name) => !AWS_ERROR_PREFIXES.some((prefix) => name.startsWith(prefix))),
      );

      // Assess
      expect([...matched].filter((name) => !classes.includes(name)), 'names in the ASL without an error class').toEqual([]);
      expect(internal.filter((name) => !classes.includes(name)), 'ERRORS_NOT_MATCHED_IN_WORKFLOWS names a class').toEqual([]);
      expect(internal.filter((name) => matched.has(name)), 'ERRORS_NOT_MATCHED_IN_WORKFLOWS are indeed not matched').toEqual([]);
      expect(classes.filter((name) => !matched.has(name) && !internal.includes(name)), 'workflow error classes missing from every Retry/Catch').toEqual([]);
    });
  });

  describe('least privilege', () => {
    it('grants no "*" action, and Resource "*" only for actions without a resource type', () => {
      // Assess
      for (const [id, s] of allStatements()) {
        const actions = asArray(s.Action);
        expect(actions.filter((a) => a.includes('*')), id).toEqual([]);
        if (asArray(s.Resource).includes('*')) expect(actions.filter((a) => !STAR_RESOURCE_ACTIONS.has(a)), `${id}: Resource "*"`).toEqual([]);
      }
    });

    it('gives each function a role of its own with exactly the EKS calls its lib/steps code makes', () => {
      // Prepare
      const roles = new Set<Resource>();

      // Act & Assess
      for (const [, fn] of functions()) {
        const role = roleOf(fn);
        roles.add(role);
        const granted = new Set(policyStatements(role).flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('eks:')));
        const called = eksActionsCalledBy(stepFileOf(String(fn.Properties['Handler'])));
        expect([...granted].sort(), String(fn.Properties['FunctionName'])).toEqual([...called].sort());
      }
      expect(roles.size).toBe(functions().length);
    });

    it('grants each function every DynamoDB action its progress-store calls need', () => {
      // Act & Assess: a missing action would only show in AWS, as AccessDenied in the middle of a run.
      for (const [, fn] of functions()) {
        const granted = new Set(policyStatements(roleOf(fn)).flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('dynamodb:')));
        const needed = dynamoActionsCalledBy(stepFileOf(String(fn.Properties['Handler'])));
        expect([...needed].filter((a) => !granted.has(a)), String(fn.Properties['FunctionName'])).toEqual([]);
      }
    });

    it('lets the fleet state machine run its Distributed Maps: start, follow and stop its own child executions only', () => {
      // Prepare
      const statements = policyStatements(template.Resources['UpgradeFleetStateMachineRole']!);
      const { states } = definitionOf(template.Resources['UpgradeFleetStateMachine']!);
      const distributed = states.filter(([, s]) => (s.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode === 'DISTRIBUTED');
      const granted = (action: string) => statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource).map(resourceText));

      // Assess (Step Functions guide, "IAM policies for using Distributed Map states")
      expect(distributed.map(([name]) => name).sort()).toEqual(['DiscoverLanes', 'UpgradeWave']);
      expect(granted('states:StartExecution')).toContain('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:cni-fleet-dev-upgrade-fleet');
      for (const action of ['states:DescribeExecution', 'states:StopExecution'])
        expect(granted(action)).toContain('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:cni-fleet-dev-upgrade-fleet/*');
    });

    it('limits eks:UpdateAddon and eks:CreateAddon to vpc-cni add-ons and clusters of the account', () => {
      // Prepare
      const prefix = stageParams.clusterNamePrefix;
      const allowed = [
        `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:addon/${prefix}*/vpc-cni/*`,
        `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:cluster/${prefix}*`,
      ];

      // Act
      const writes = allStatements().filter(([, s]) => asArray(s.Action).some((a) => a === 'eks:UpdateAddon' || a === 'eks:CreateAddon'));

      // Assess
      expect(writes.length).toBeGreaterThan(0);
      for (const [id, s] of writes) {
        expect(asArray(s.Action).every((a) => a === 'eks:UpdateAddon' || a === 'eks:CreateAddon'), id).toBe(true);
        expect(asArray(s.Resource).map(resourceText).sort(), id).toEqual(allowed.sort());
      }
    });

    it('passes only the configured CNI role, and only to EKS (IRSA) or EKS Pod Identity', () => {
      // Prepare
      const passRole = allStatements().filter(([, s]) => asArray(s.Action).includes('iam:PassRole'));

      // Assess
      expect(passRole.length).toBeGreaterThan(0);
      for (const [id, s] of passRole) {
        expect(asArray(s.Action), id).toEqual(['iam:PassRole']);
        expect(asArray(s.Resource).map(resourceText), id).toEqual([`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${stageParams.cniRoleNamePattern}`]);
        // eks.amazonaws.com: the IRSA role; pods.eks.amazonaws.com: the pod identity associations' roles (facts §7.4).
        expect([{ StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } }, { StringEquals: { 'iam:PassedToService': 'pods.eks.amazonaws.com' } }], id).toContainEqual(s.Condition);
      }
      expect(new Set(passRole.map(([, s]) => JSON.stringify(s.Condition))).size, 'both services').toBe(2);
    });

    it('assumes only the configured cross-account roles, and only when some are configured', () => {
      // Prepare
      const assume = allStatements().filter(([, s]) => asArray(s.Action).includes('sts:AssumeRole'));

      // Assess
      expect(template.Parameters['CrossAccountRoleArns']).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
      expect(assume.length).toBeGreaterThan(0);
      for (const [id, s] of assume) {
        expect(s, id).toMatchObject({ Action: 'sts:AssumeRole', Resource: { Ref: 'CrossAccountRoleArns' }, onlyIf: 'HasCrossAccountRoles' });
      }
    });

    it('grants DynamoDB actions on the progress table only', () => {
      // Prepare
      const dynamo = allStatements().filter(([, s]) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));

      // Assess
      expect(dynamo.length).toBeGreaterThan(0);
      for (const [id, s] of dynamo) {
        expect(asArray(s.Action).every((a) => a.startsWith('dynamodb:')), id).toBe(true);
        for (const resource of asArray(s.Resource)) {
          const text = JSON.stringify(resource);
          expect(text === JSON.stringify({ 'Fn::GetAtt': ['ProgressTable', 'Arn'] }) || text.startsWith('{"Fn::Sub":"${ProgressTable.Arn}/index/'), `${id}: ${text}`).toBe(true);
        }
      }
    });
  });

  describe('progress table', () => {
    it('matches lib/store/table-definition.ts, with PITR, encryption and TTL on expiresAt', () => {
      // Prepare
      const table = template.Resources['ProgressTable']!.Properties;
      const expected = progressTableDefinition(`${STACK_PREFIX}-progress`);

      // Assess
      expect(table['TableName']).toBe(expected.TableName);
      expect(table['BillingMode']).toBe('PAY_PER_REQUEST');
      expect(table['AttributeDefinitions']).toEqual(expected.AttributeDefinitions);
      expect(table['KeySchema']).toEqual(expected.KeySchema);
      expect(table['GlobalSecondaryIndexes']).toEqual(expected.GlobalSecondaryIndexes);
      expect(table['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table['SSESpecification']).toMatchObject({ SSEEnabled: true });
      expect(table['TimeToLiveSpecification']).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    });
  });

  const hasCfnLint = process.env['PATH']?.split(':').some((dir) => existsSync(join(dir, 'cfn-lint'))) ?? false;
  it.skipIf(!hasCfnLint)('passes cfn-lint, with docs/target-account-role.yaml', async () => {
    // Act
    const result = await run('cfn-lint', [templatePath, join(root, 'docs', 'target-account-role.yaml')], { cwd: root }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );

    // Assess
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
