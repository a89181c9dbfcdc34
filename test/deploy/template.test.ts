import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';
import { FUNCTION_BUILDERS } from '../../functions/index.js';
import { readConfig } from '../../lib/config.js';
import * as errors from '../../lib/errors.js';
import { ClusterExecutionInput, FleetExecutionInput } from '../../lib/schemas/execution-input.js';
import { ADDON_SPECS, VPC_CNI } from '../../lib/addon-spec.js';
import { progressTableDefinition, TTL_ATTRIBUTE } from '../../lib/store/table-definition.js';
import { CLUSTER_MACHINE, deployedDefinitions, FLEET_MACHINE, resolvePseudoParameters } from '../../rehearsal/runner/asl-definition.js';
import type { JsonObject, JsonValue as Json } from '../../lib/json.js';

// `npm run package` (osls + serverless-esbuild + serverless-step-functions) run once, offline and without AWS
// credentials, into a temporary directory; every check below reads the CloudFormation template it produced.
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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
  Principal?: Json;
  Condition?: JsonObject;
  /** The CloudFormation condition the statement depends on (Fn::If), if any. */
  onlyIf?: string;
}
interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, Json>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  States?: Record<string, AslState>;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

/** CloudFormation's short-form tags (`!Sub …`, `!If [...]`), read as the long form, for the hand-written templates. */
const CFN_TAGS: Tags = ['Sub', 'Ref', 'GetAtt', 'Not', 'Equals', 'If', 'Join', 'Split', 'Select', 'And', 'Or', 'Condition', 'FindInMap', 'Base64', 'ImportValue'].flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
  return [
    { tag: `!${name}`, resolve: (text: string) => wrap(text) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: YAMLSeq) => wrap(seq.toJSON()) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (map: YAMLMap) => wrap(map.toJSON()) },
  ];
}) as Tags;

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
const resourceText = (resource: Json | undefined): string => (isObject(resource) && typeof resource['Fn::Sub'] === 'string' ? resource['Fn::Sub'] : JSON.stringify(resource));

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
 * (`offeredBuilds(…)`), so importing a constant (`DEFAULT_ADDON`) does not count as calling its module's EKS code.
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
  abortCluster: ['UpdateItem'],
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
  forgetRunCounted: ['UpdateItem'],
  markHalted: ['UpdateItem'],
  getClusterOutcomes: ['BatchGetItem'],
  locksOwnedBy: ['Query'],
  // The rollout controls (lib/store/control-records.ts).
  setRunControl: ['UpdateItem'],
  getRunGate: ['GetItem'],
  putApproval: ['PutItem'],
  listApprovals: ['Query'],
  answerApproval: ['UpdateItem'],
  setClusterHold: ['UpdateItem'],
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

/** A stage packaged offline, without AWS credentials, into its own temporary directory. */
interface Packaged {
  readonly dir: string;
  readonly templatePath: string;
  readonly template: Template;
}

const packaged = new Map<string, Promise<Packaged>>();
/** `serverless package --stage STAGE`, once per stage per test file (one at a time: serverless-esbuild's work folder is shared). */
function packageStage(stage: string): Promise<Packaged> {
  const known = packaged.get(stage);
  if (known) return known;
  const previous = [...packaged.values()];
  const next = (async () => {
    await Promise.allSettled(previous);
    const dir = mkdtempSync(join(tmpdir(), `cni-fleet-package-${stage}-`));
    // A user without credentials: no keys, no profile files, no instance metadata.
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_CONFIG_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[key];
    await run(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--stage', stage, '--package', dir], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
    const templatePath = join(dir, 'cloudformation-template-update-stack.json');
    return { dir, templatePath, template: JSON.parse(readFileSync(templatePath, 'utf8')) as Template };
  })();
  packaged.set(stage, next);
  return next;
}
afterAll(async () => {
  for (const result of await Promise.allSettled(packaged.values())) if (result.status === 'fulfilled') rmSync(result.value.dir, { recursive: true, force: true });
});

/** The serverless.yml params: `default` and the stages the repository ships. */
const serverlessParams = (): Record<string, Record<string, unknown>> =>
  (parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as { params: Record<string, Record<string, unknown>> }).params;

/**
 * Every stage the repository ships: each named stage of serverless.yml's params, and a stage it does not name
 * (`ops`), which gets the `default` params alone.
 */
const SHIPPED_STAGES = [...Object.keys(serverlessParams()).filter((stage) => stage !== 'default'), 'ops'];

/** Statements of a role's trust policy. */
const trustOf = (role: Resource): Statement[] => statementsOf(role.Properties['AssumeRolePolicyDocument'] ?? null);
/** The services a role trusts. */
const trustedServices = (role: Resource): string[] =>
  trustOf(role).flatMap((s) => (isObject(s.Principal ?? null) ? asArray(((s.Principal as JsonObject)['Service'] ?? []) as string | string[]) : []));

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
    ({ dir: packageDir, templatePath, template } = await packageStage('dev'));
    const params = serverlessParams();
    stageParams = { ...params['default'], ...params['dev'] } as typeof stageParams;
  }, 180_000);

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

    it('deploys exactly the definitions the rehearsal runs', () => {
      // Prepare: the plugin writes each `Fn::GetAtt`/`Ref`/`Fn::Sub` of a definition as a `${…}` variable of
      // DefinitionString, names a function `<Key>LambdaFunction`, and spells out the default query language
      // (`QueryLanguage: JSONPath`) on the Task states it rewrites; undo these to get the definition as written.
      const asWritten = (id: string): unknown => {
        const definition = template.Resources[id]!.Properties['DefinitionString'] as { 'Fn::Sub': [string, Record<string, Json>] };
        const [text, variables] = definition['Fn::Sub'];
        const restore = (node: unknown): unknown => {
          if (typeof node === 'string' && /^\$\{\w+\}$/.test(node) && variables[node.slice(2, -1)] !== undefined) return restore(variables[node.slice(2, -1)]);
          if (Array.isArray(node)) return node.map(restore);
          if (!isObject(node as Json)) return node;
          const getAtt = (node as JsonObject)['Fn::GetAtt'];
          if (Array.isArray(getAtt) && /LambdaFunction$/.test(String(getAtt[0]))) {
            const logicalId = String(getAtt[0]).replace(/LambdaFunction$/, '');
            return { 'Fn::GetAtt': [logicalId.charAt(0).toLowerCase() + logicalId.slice(1), getAtt[1]] };
          }
          const kept = Object.entries(node as JsonObject).filter(([k, v]) => !(k === 'QueryLanguage' && v === 'JSONPath'));
          return Object.fromEntries(kept.map(([k, v]) => [k, restore(v)]));
        };
        return resolvePseudoParameters(restore(JSON.parse(text)));
      };

      // Act
      const runs = deployedDefinitions();

      // Assess
      for (const id of [CLUSTER_MACHINE, FLEET_MACHINE]) expect(asWritten(id), id).toEqual(runs[id]);
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
      const rules = resourcesOfType('AWS::Events::Rule').filter(
        ([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('Step Functions Execution Status Change') && JSON.stringify(r.Properties['Targets']).includes('"Ref":"NotificationTopic"'),
      );
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
      // Prepare: the execution status change event of a fleet run that ended FAILED (RunFailed of UpgradeFleet in statemachines/workflows.asl.yaml).
      const [, rule] = resourcesOfType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('"UpgradeFleetStateMachine"'))!;
      const transformer = (rule.Properties['Targets'] as JsonObject[])[0]!['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
      const cause = '3 of 120 clusters FAILED; halted before wave 2 (1): 3 cluster(s) FAILED, failure threshold 1';
      const event = { detail: { name: 'weekly-48', status: 'FAILED', executionArn: 'arn:aws:states:eu-central-1:111122223333:execution:x:weekly-48', error: 'FleetRunFailed', cause } };
      const valueAt = (path: string): unknown => path.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event);

      // Act: EventBridge puts each value into the JSON string template with its quotes escaped.
      const message = JSON.parse(transformer.InputTemplate.replace(/<(\w+)>/g, (_, key: string) => JSON.stringify(String(valueAt(transformer.InputPathsMap[key]!))).slice(1, -1))) as string;

      // Assess
      expect(message).toContain('cni-fleet run weekly-48 ended FAILED. 3 of 120 clusters FAILED; halted before wave 2');
      const { states } = definitionOf(template.Resources['UpgradeFleetStateMachine']!);
      expect(states.find(([name]) => name === 'RunFailed')?.[1]).toMatchObject({ Type: 'Fail', Error: 'FleetRunFailed', CausePath: '$.summary.cause' });
    });

    it('names the cluster by its key in a failed cluster execution\'s notification', () => {
      // Prepare: the status-change event of a cluster execution that ended in UpgradeFailed; its cause is what the
      // workflow's DescribeFailure state writes (test/workflow/cluster-outcomes.test.ts runs it).
      const [, rule] = resourcesOfType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('"UpgradeClusterStateMachine"'))!;
      const transformer = (rule.Properties['Targets'] as JsonObject[])[0]!['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
      const key = '111122223333/us-east-1/payments-prod';
      const event = {
        detail: {
          name: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
          status: 'FAILED',
          executionArn: 'arn:aws:states:eu-central-1:111122223333:execution:cni-fleet-dev-upgrade-cluster:0b1c2d3e',
          error: 'AddonUpdateFailedError',
          cause: `${key} ended FAILED: Update 8f0e-1 on ${key} failed: ConfigurationConflict: "env" conflicts`,
        },
      };
      const valueAt = (path: string): string => String(path.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event));
      // Act: EventBridge puts each value into the JSON string template with its quotes escaped.
      const message = JSON.parse(transformer.InputTemplate.replace(/<(\w+)>/g, (_, name: string) => JSON.stringify(valueAt(transformer.InputPathsMap[name]!)).slice(1, -1))) as string;
      // Assess
      expect(message).toContain(`ended FAILED: AddonUpdateFailedError: ${key} ended FAILED: Update 8f0e-1 on ${key} failed`);
      expect(message).toContain(event.detail.executionArn);
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

    it('every Task resolves to a packaged function, and every function is some Task or the target of a rule', () => {
      // Prepare
      const used = new Set<string>();
      // A function started by an EventBridge rule (the cleanup) needs the rule to target it and to be allowed to.
      const ruleTargets = resourcesOfType('AWS::Events::Rule').flatMap(([ruleId, rule]) =>
        asArray((rule.Properties['Targets'] ?? []) as JsonObject[]).flatMap((target) => {
          const arn = target['Arn'];
          const logicalId = isObject(arn ?? null) && Array.isArray((arn as JsonObject)['Fn::GetAtt']) ? String(((arn as JsonObject)['Fn::GetAtt'] as Json[])[0]) : '';
          return template.Resources[logicalId]?.Type === 'AWS::Lambda::Function' ? [[ruleId, logicalId] as const] : [];
        }),
      );
      for (const [ruleId, functionId] of ruleTargets) {
        const permission = resourcesOfType('AWS::Lambda::Permission').find(([, p]) => JSON.stringify(p.Properties['SourceArn']) === JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] }));
        expect(permission?.[1].Properties, `${ruleId} may invoke ${functionId}`).toMatchObject({ Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction', SourceAccount: { Ref: 'AWS::AccountId' } });
        used.add(functionId);
      }

      // Act
      for (const id of ['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine']) {
        const { states, variables } = definitionOf(template.Resources[id]!);
        for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
          let reference = variables[String(state.Resource).replace(/^\$\{|\}$/g, '')];
          // A Lambda integration (lambda:invoke.waitForTaskToken) names its function in Parameters.FunctionName.
          if (resourceText(reference ?? null).includes(':states:::lambda:invoke'))
            reference = variables[String(state.Parameters?.['FunctionName'] ?? '').replace(/^\$\{|\}$/g, '')];
          // Other service integrations (startExecution.sync:2) are ARNs of Step Functions itself, not functions.
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
        expect(variables['CNI_FLEET_TARGET_ROLE_ARNS']).toEqual({ 'Fn::Join': [',', { Ref: 'CrossAccountRoleArns' }] });
        const config = readConfig({
          TABLE_NAME: `${STACK_PREFIX}-progress`,
          CNI_FLEET_ACCOUNT_ID: '111122223333',
          CNI_FLEET_TARGET_ROLE_ARNS: 'arn:aws:iam::222233334444:role/cni-fleet-target,arn:aws:iam::555566667777:role/cni-fleet-target',
          AWS_REGION: 'eu-central-1',
          RETENTION_DAYS: String(variables['RETENTION_DAYS']),
        });
        expect(config.retentionDays).toBeGreaterThan(0);
        expect(config.accountRoles).toEqual({
          '222233334444': 'arn:aws:iam::222233334444:role/cni-fleet-target',
          '555566667777': 'arn:aws:iam::555566667777:role/cni-fleet-target',
        });
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

    it('reads the Kubernetes API only from the functions the access entries are for, and the target role\'s entries only read', () => {
      // Prepare: the functions whose step can reach the Kubernetes reader (lib/kubernetes/kube-api.ts).
      const reader = join(root, 'lib', 'kubernetes', 'kube-api.ts');
      const readers = functions()
        .filter(([, fn]) => reachableSources(stepFileOf(String(fn.Properties['Handler']))).has(reader))
        .map(([, fn]) => String(fn.Properties['FunctionName']).replace(`${STACK_PREFIX}-`, ''))
        .sort();
      const target = parseYaml(readFileSync(join(root, 'docs', 'target-account-role.yaml'), 'utf8'), { customTags: CFN_TAGS, logLevel: 'silent' }) as {
        Resources: Record<string, Json>;
      };
      const [, , entries] = target.Resources['Fn::ForEach::CniFleetAccessEntries'] as [string, Json, Record<string, { Type: string; Properties: JsonObject }>];
      const entry = Object.values(entries)[0]!;

      // Assess: docs/rollout-gate.md ("Access") asks for entries of exactly these roles (or of the target role they assume).
      expect(readers).toEqual(['pollHop', 'takeSnapshot']);
      const trusted = JSON.stringify(trustOf(target.Resources['CniFleetTargetRole'] as unknown as Resource));
      for (const fn of readers) expect(trusted).toContain(`-*-${fn}`);
      // The entry: the reader group (RBAC of docs/rollout-gate.md), and at most the view policy scoped to kube-system.
      expect(entry.Type).toBe('AWS::EKS::AccessEntry');
      expect(entry.Properties['KubernetesGroups']).toEqual(['cni-fleet-aws-node-reader']);
      expect(entry.Properties['AccessPolicies']).toEqual({
        'Fn::If': [
          'UseViewPolicy',
          [{ PolicyArn: { 'Fn::Sub': 'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' }, AccessScope: { Type: 'namespace', Namespaces: ['kube-system'] } }],
          { Ref: 'AWS::NoValue' },
        ],
      });
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

    it('grants eks:UpdateAddon on vpc-cni add-ons only, eks:CreateAddon in its own statement and only for the migration clusters', () => {
      // Prepare: UpdateAddon is authorised on the add-on ARN, CreateAddon on the cluster ARN (any add-on on it), so a
      // statement that grants CreateAddon on cluster/<prefix>* lets the function create any add-on on those clusters.
      const prefix = stageParams.clusterNamePrefix;

      // Act
      const updates = allStatements().filter(([, s]) => asArray(s.Action).includes('eks:UpdateAddon'));
      const creates = allStatements().filter(([, s]) => asArray(s.Action).includes('eks:CreateAddon'));

      // Assess
      expect(updates.length).toBeGreaterThan(0);
      for (const [id, s] of updates) {
        expect(asArray(s.Action), id).toEqual(['eks:UpdateAddon']);
        // The add-on, and the pod identity associations the request re-sends (the reference's optional resource type).
        expect(asArray(s.Resource).map(resourceText), id).toEqual([
          `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:addon/${prefix}*/vpc-cni/*`,
          `arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:podidentityassociation/${prefix}*/*`,
        ]);
      }
      expect(creates.map(([id]) => id)).toEqual(['ApplyHopRole']);
      for (const [id, s] of creates) {
        expect(s, id).toMatchObject({ Action: 'eks:CreateAddon', onlyIf: 'MigratesSelfManaged' });
        expect(asArray(s.Resource).map(resourceText), id).toEqual([`arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:cluster/\${SelfManagedMigrationClusters}`]);
      }
      // Off unless the stage names its migration clusters: the switch is a real stack condition on that parameter.
      expect(template.Parameters['SelfManagedMigrationClusters']).toEqual({ Type: 'String', Default: '' });
      expect((template as unknown as { Conditions: Record<string, Json> }).Conditions['MigratesSelfManaged']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SelfManagedMigrationClusters' }, ''] }] });
    });

    it('grants add-on actions only on the add-on spec\'s IAM resource, in the stack and in the target-account role', () => {
      // Prepare: every add-on ARN granted by the packaged stack and by docs/target-account-role.yaml. Neither can import
      // the spec (lib/addon-spec.ts), so this is what keeps the three the same.
      const targetTemplate = parseYaml(readFileSync(join(root, 'docs', 'target-account-role.yaml'), 'utf8'), { customTags: CFN_TAGS, logLevel: 'silent' }) as { Resources: Record<string, Resource> };
      const addonArnsOf = (statements: readonly Statement[]): string[] => statements.flatMap((s) => asArray(s.Resource).map(resourceText)).filter((r) => r.includes(':addon/'));
      const granted = [...addonArnsOf(allStatements().map(([, s]) => s)), ...addonArnsOf(policyStatements(targetTemplate.Resources['CniFleetTargetRole']!))];

      // Act: each ARN's resource part against a registered spec's resource for the cluster pattern the ARN names.
      const offScope = granted.filter((arn) => {
        const match = /^arn:\$\{AWS::Partition\}:eks:\*:\$\{AWS::AccountId\}:(addon\/([^/]+)\/.*)$/.exec(arn);
        return !match || !Object.values(ADDON_SPECS).some((spec) => match[1] === spec.iamResource(match[2]!));
      });

      // Assess: the stack's reads and writes and the target role's, vpc-cni's among them; none outside a spec's scope.
      expect(granted.length).toBeGreaterThanOrEqual(6);
      expect(granted).toContain(`arn:\${AWS::Partition}:eks:*:\${AWS::AccountId}:${VPC_CNI.iamResource('*')}`);
      expect(offScope).toEqual([]);
    });

    it('lets the scheduler and the EventBridge rule roles be assumed only for this account and their own schedules or rule', () => {
      // Prepare: every role a trigger service assumes to start a workflow.
      const triggerRoles = resourcesOfType('AWS::IAM::Role').filter(([, role]) => trustedServices(role).some((svc) => svc === 'scheduler.amazonaws.com' || svc === 'events.amazonaws.com'));

      // Assess: the schedules and the control plane rule use exactly these roles, not ones the plugin generates.
      expect(triggerRoles.map(([id]) => id).sort()).toEqual(['FleetSchedulerRole', 'FollowControlPlaneRuleRole']);
      for (const [, schedule] of resourcesOfType('AWS::Scheduler::Schedule')) expect((schedule.Properties['Target'] as JsonObject)['RoleArn']).toEqual({ 'Fn::GetAtt': ['FleetSchedulerRole', 'Arn'] });
      const [, followRule] = resourcesOfType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties['EventPattern']).includes('UpdateClusterVersion'))!;
      expect((followRule.Properties['Targets'] as JsonObject[])[0]!['RoleArn']).toEqual({ 'Fn::GetAtt': ['FollowControlPlaneRuleRole', 'Arn'] });
      expect(trustOf(template.Resources['FleetSchedulerRole']!)).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default' } } },
        },
      ]);
      expect(trustOf(template.Resources['FollowControlPlaneRuleRole']!)).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/cni-fleet-dev-follow-control-plane' } } },
        },
      ]);
      expect(followRule.Properties['Name']).toBe('cni-fleet-dev-follow-control-plane');
      expect(policyStatements(template.Resources['FollowControlPlaneRuleRole']!).map((st) => [st.Action, st.Resource])).toEqual([['states:StartExecution', { Ref: 'UpgradeClusterStateMachine' }]]);
      // Every other role a service assumes (Lambda aside) names this account too.
      for (const [id, role] of resourcesOfType('AWS::IAM::Role')) {
        if (trustedServices(role).every((svc) => svc === 'lambda.amazonaws.com')) continue;
        for (const st of trustOf(role)) expect(JSON.stringify(st.Condition ?? {}), id).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
      }
    });

    it('refuses publishes to the outcome topic that do not use TLS', () => {
      // Prepare
      const [, policy] = resourcesOfType('AWS::SNS::TopicPolicy').find(([, p]) => JSON.stringify(p.Properties['Topics']) === JSON.stringify([{ Ref: 'NotificationTopic' }]))!;

      // Act
      const statements = statementsOf(policy.Properties['PolicyDocument'] ?? null);

      // Assess: a Deny (which no Allow overrides) for every principal publishing without TLS.
      expect(statements).toContainEqual({ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'NotificationTopic' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      expect(statements.filter((st) => st.Effect === 'Allow').every((st) => JSON.stringify(st.Condition ?? {}).includes('aws:Source'))).toBe(true);
    });

    it('tags every role a target account trusts with its stage, and the target role trusts only that stage', () => {
      // Prepare: docs/target-account-role.yaml's trust, and an IAM evaluation of it for callers of two stages.
      const targetTemplate = parseYaml(readFileSync(join(root, 'docs', 'target-account-role.yaml'), 'utf8'), { customTags: CFN_TAGS, logLevel: 'silent' }) as { Resources: Record<string, Resource> };
      const [trust] = trustOf(targetTemplate.Resources['CniFleetTargetRole']!);
      const trusts = (stage: string, caller: { roleName: string; stageTag: string | undefined }): boolean => {
        const arn = `arn:aws:iam::111122223333:role/${caller.roleName}`;
        const condition = trust!.Condition as { ArnLike: { 'aws:PrincipalArn': { 'Fn::Sub': string }[] }; StringEquals: Record<string, Json> };
        const patterns = condition.ArnLike['aws:PrincipalArn'].map((p) => p['Fn::Sub'].replace('${AWS::Partition}', 'aws').replace('${DeployingAccountId}', '111122223333').replace('${Stage}', stage));
        const arnLike = patterns.some((p) => new RegExp(`^${p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(arn));
        const tagKey = Object.keys(condition.StringEquals)[0]!.replace('aws:PrincipalTag/', '');
        return arnLike && condition.StringEquals[`aws:PrincipalTag/${tagKey}`] !== undefined && caller.stageTag === stage && tagKey === 'cni-fleet-stage';
      };
      const tagOf = (id: string): string | undefined => asArray((template.Resources[id]!.Properties['Tags'] ?? []) as JsonObject[]).find((t) => t['Key'] === 'cni-fleet-stage')?.['Value'] as string | undefined;
      const eksRoles = functions()
        .map(([, fn]) => roleOf(fn))
        .filter((role) => policyStatements(role).some((st) => asArray(st.Action).some((a) => a.startsWith('eks:'))));
      const roleIds = Object.entries(template.Resources).filter(([, r]) => eksRoles.includes(r)).map(([id]) => id);

      // Assess: each EKS-calling role of the dev stage carries its stage and is trusted by a dev target role…
      expect(roleIds.length).toBe(6);
      for (const id of roleIds) {
        expect(tagOf(id), id).toBe('dev');
        const roleName = resourceText(template.Resources[id]!.Properties['RoleName'] ?? null).replace('${AWS::Region}', 'eu-west-1');
        expect(trusts('dev', { roleName, stageTag: tagOf(id) }), roleName).toBe(true);
      }
      // …while a stage whose name merely starts the same is not, although its role names match the pattern.
      expect(trusts('prod', { roleName: 'cni-fleet-prod-x-eu-west-1-applyHop', stageTag: 'prod-x' })).toBe(false);
      expect(trusts('prod', { roleName: 'cni-fleet-prod-eu-west-1-applyHop', stageTag: 'prod' })).toBe(true);
      expect(trust!.Condition).toMatchObject({ StringEquals: { 'aws:PrincipalTag/cni-fleet-stage': { Ref: 'Stage' } } });
      // CreateAddon there too: only on the migration cluster, and only when there is one.
      const targetStatements = policyStatements(targetTemplate.Resources['CniFleetTargetRole']!);
      expect(targetStatements.filter((st) => asArray(st.Action).includes('eks:CreateAddon'))).toEqual([
        { Effect: 'Allow', Action: 'eks:CreateAddon', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:eks:*:${AWS::AccountId}:cluster/${MigrationClusterName}' }, onlyIf: 'HasMigrationCluster' },
      ]);
      expect(targetStatements.filter((st) => asArray(st.Action).includes('eks:UpdateAddon')).map((st) => [st.Action, asArray(st.Resource).map(resourceText)])).toEqual([
        ['eks:UpdateAddon', ['arn:${AWS::Partition}:eks:*:${AWS::AccountId}:addon/${ClusterNamePrefix}*/vpc-cni/*', 'arn:${AWS::Partition}:eks:*:${AWS::AccountId}:podidentityassociation/${ClusterNamePrefix}*/*']],
      ]);
    });

    it('passes only the configured CNI role, and only to EKS (IRSA) or EKS Pod Identity', () => {
      // Prepare
      const passRole = allStatements().filter(([, s]) => asArray(s.Action).includes('iam:PassRole'));

      // Assess
      expect(passRole.length).toBeGreaterThan(0);
      for (const [id, s] of passRole) {
        expect(asArray(s.Action), id).toEqual(['iam:PassRole']);
        expect(asArray(s.Resource).map(resourceText), id).toEqual([`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${stageParams.cniRoleNamePattern}`]);
        // eks.amazonaws.com: the IRSA role; pods.eks.amazonaws.com: the pod identity associations' roles
        // (docs/eks-behaviour.md#omitted-role).
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

    it('reads CloudWatch alarms only where the rollout controls check them, scoped to the account\'s alarms; only RequestApproval puts events, on the default bus; nothing in the stack answers an approval', () => {
      // Prepare
      const holders = (action: string) =>
        functions()
          .filter(([, fn]) => policyStatements(roleOf(fn)).some((s) => asArray(s.Action).includes(action)))
          .map(([, fn]) => String(fn.Properties['Handler']))
          .sort();
      const resourcesOf = (action: string) => allStatements().filter(([, s]) => asArray(s.Action).includes(action)).flatMap(([, s]) => asArray(s.Resource).map(resourceText));

      // Assess: the start gate (TakeSnapshot) and the wave gate (CheckFailureBudget) read the run's alarms
      expect(holders('cloudwatch:DescribeAlarms')).toEqual(['functions/check-failure-budget.handler', 'functions/take-snapshot.handler']);
      expect(new Set(resourcesOf('cloudwatch:DescribeAlarms'))).toEqual(new Set(['arn:${AWS::Partition}:cloudwatch:*:${AWS::AccountId}:alarm:*']));
      expect(holders('events:PutEvents')).toEqual(['functions/request-approval.handler']);
      expect(resourcesOf('events:PutEvents')).toEqual(['arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default']);
      // The gate waits on a task token (lambda:invoke.waitForTaskToken); SendTaskSuccess/Failure are the operator's.
      const { states: fleetStates, variables } = definitionOf(template.Resources['UpgradeFleetStateMachine']!);
      const request = fleetStates.find(([name]) => name === 'RequestApproval')?.[1];
      expect(resourceText(variables[String(request?.Resource).replace(/^\$\{|\}$/g, '')] ?? null)).toBe('arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken');
      for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:*']) expect(resourcesOf(action), action).toEqual([]);
      // The notice reaches the outcome topic through its own rule, which the topic policy names.
      const rule = template.Resources['ApprovalRequestedRule']!;
      expect(rule.Properties['EventPattern']).toEqual({ source: ['cni-fleet'], 'detail-type': ['cni-fleet Approval Requested'] });
      expect(JSON.stringify(template.Resources['NotificationTopicPolicy']!.Properties)).toContain('ApprovalRequestedRule');
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
  it.skipIf(!hasCfnLint && process.env['CI'] !== 'true')('passes cfn-lint, with docs/target-account-role.yaml', async () => {
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

// Safe by default: deploying any stage the repository ships starts nothing on its own. Each one is packaged.
describe.each(SHIPPED_STAGES)('shipped stage %s: nothing upgrades a cluster until an operator turns it on', (stage) => {
  let template: Template;

  beforeAll(async () => {
    ({ template } = await packageStage(stage));
  }, 600_000);

  it('enables no schedule and no rule that starts a workflow, grants no CreateAddon, and documents each schedule', () => {
    // Prepare
    const resources = Object.entries(template.Resources);
    const schedules = resources.filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule');
    const starters = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule' && /"Ref":"Upgrade(Fleet|Cluster)StateMachine"/.test(JSON.stringify(r.Properties['Targets'])));
    const deployDoc = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');

    // Assess
    for (const [id, schedule] of schedules) expect(schedule.Properties['State'], `${stage}: ${id}`).toBe('DISABLED');
    for (const [id, rule] of starters) expect(rule.Properties['State'], `${stage}: ${id}`).toBe('DISABLED');
    for (const [, schedule] of schedules) expect(deployDoc, `docs/deploy.md describes ${String(schedule.Properties['Name'])}`).toContain(`\`${String(schedule.Properties['Name'])}\``);
    expect(template.Parameters['SelfManagedMigrationClusters']).toEqual({ Type: 'String', Default: '' });
  });
});
