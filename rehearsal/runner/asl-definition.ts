import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A state machine definition as JSON (Amazon States Language, JSONPath). */
export type AslDefinition = { States: Record<string, AslState>; StartAt: string } & Record<string, unknown>;
export type AslState = Record<string, unknown> & { Type: string };

const STATEMACHINES = fileURLToPath(new URL('../../statemachines/', import.meta.url));

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

/**
 * Reads `statemachines/<name>.asl.json`, the same file serverless.yml deploys, with `Fn::Sub` of pseudo parameters
 * (how a definition names an ARN without a partition) resolved as CloudFormation would here.
 */
export function loadDefinition(name: 'upgrade-cluster' | 'upgrade-fleet'): AslDefinition {
  return resolvePseudoParameters(JSON.parse(readFileSync(`${STATEMACHINES}${name}.asl.json`, 'utf8'))) as AslDefinition;
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
