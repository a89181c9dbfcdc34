import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** A state machine definition as JSON (Amazon States Language, JSONPath). */
export type AslDefinition = { States: Record<string, AslState>; StartAt: string } & Record<string, unknown>;
export type AslState = Record<string, unknown> & { Type: string };

const WORKFLOWS = fileURLToPath(new URL('../../statemachines/workflows.asl.yaml', import.meta.url));

/** The names the deployed state machines have in serverless.yml, which `{"Ref": …}` in a definition uses. */
export const FLEET_MACHINE = 'UpgradeFleetStateMachine';
export const CLUSTER_MACHINE = 'UpgradeClusterStateMachine';

/** CloudFormation's pseudo parameters as the local runner sees them (no ARN in a definition names a partition). */
const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000' };

/** `{"Fn::Sub": "arn:${AWS::Partition}:…"}` with only pseudo parameters becomes the string it stands for. */
export function resolvePseudoParameters(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolvePseudoParameters);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  const [first] = entries;
  if (entries.length === 1 && first && first[0] === 'Fn::Sub' && typeof first[1] === 'string')
    return first[1].replace(/\$\{([^}]+)\}/g, (whole, name: string) => LOCAL_PSEUDO_PARAMETERS[name] ?? whole);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolvePseudoParameters(v)]));
}

/** The key of each workflow in statemachines/workflows.asl.yaml, which serverless.yml deploys by the same key. */
const WORKFLOW_KEYS = { 'upgrade-cluster': 'UpgradeCluster', 'upgrade-fleet': 'UpgradeFleet' } as const;

/**
 * Reads one workflow of `statemachines/workflows.asl.yaml`, the same file serverless.yml deploys, with its retry
 * policies' aliases expanded and `Fn::Sub` of pseudo parameters (how a definition names an ARN without a partition)
 * resolved as CloudFormation would here.
 */
export function loadDefinition(name: keyof typeof WORKFLOW_KEYS): AslDefinition {
  // maxAliasCount: every Retry names its policies by alias; the file is ours, not untrusted input.
  const workflows = parseYaml(readFileSync(WORKFLOWS, 'utf8'), { maxAliasCount: -1 }) as Record<string, unknown>;
  // A fresh copy: an alias parses to the very object its anchor does, and no two states may share one.
  return resolvePseudoParameters(structuredClone(workflows[WORKFLOW_KEYS[name]])) as AslDefinition;
}

/** The two deployed workflows, by their serverless.yml names. */
export function deployedDefinitions(): Record<string, AslDefinition> {
  return { [FLEET_MACHINE]: loadDefinition('upgrade-fleet'), [CLUSTER_MACHINE]: loadDefinition('upgrade-cluster') };
}

/** Calls `visit` for every state, nested Map/Parallel states included. */
export function forEachState(definition: { States: Record<string, AslState> }, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, AslState> } | undefined;
    if (processor) forEachState(processor, visit);
    for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? []) forEachState(branch, visit);
  }
}

/**
 * The function key of a Lambda Task: `{"Fn::GetAtt": [key, "Arn"]}` as serverless-step-functions writes it, or
 * the function name of a plain Lambda ARN (`arn:aws:lambda:…:function:key`).
 */
export function functionKeyOf(state: AslState): string | undefined {
  if (state.Type !== 'Task') return undefined;
  const resource = state.Resource as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
  if (typeof resource === 'object' && resource?.['Fn::GetAtt']) return resource['Fn::GetAtt'][0];
  const arn = typeof resource === 'string' ? /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)$/.exec(resource) : null;
  return arn?.[1];
}
