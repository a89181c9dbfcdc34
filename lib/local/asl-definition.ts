import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A state machine definition as JSON (Amazon States Language, JSONPath). */
export type AslDefinition = { States: Record<string, AslState>; StartAt: string } & Record<string, unknown>;
export type AslState = Record<string, unknown> & { Type: string };

const STATEMACHINES = fileURLToPath(new URL('../../statemachines/', import.meta.url));

/** The names the deployed state machines have in serverless.yml, which `{"Ref": …}` in a definition uses. */
export const FLEET_MACHINE = 'UpgradeFleetStateMachine';
export const CLUSTER_MACHINE = 'UpgradeClusterStateMachine';

/** Reads `statemachines/<name>.asl.json`, the same file serverless.yml deploys. */
export function loadDefinition(name: 'upgrade-cluster' | 'upgrade-fleet'): AslDefinition {
  return JSON.parse(readFileSync(`${STATEMACHINES}${name}.asl.json`, 'utf8')) as AslDefinition;
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
