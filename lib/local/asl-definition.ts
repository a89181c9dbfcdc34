import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A state machine definition as JSON (Amazon States Language, JSONPath). */
export type AslDefinition = { States: Record<string, AslState>; StartAt: string } & Record<string, unknown>;
export type AslState = Record<string, unknown> & { Type: string };

const STATEMACHINES = fileURLToPath(new URL('../../statemachines/', import.meta.url));

/**
 * Reads `statemachines/<name>.asl.json`, the same file serverless.yml deploys. `#{AWS::Partition}` (the pseudo
 * parameter serverless-step-functions turns into CloudFormation's, so no ARN names a partition) is `aws` here.
 */
export function loadDefinition(name: 'upgrade-cluster' | 'upgrade-fleet'): AslDefinition {
  return JSON.parse(readFileSync(`${STATEMACHINES}${name}.asl.json`, 'utf8').replaceAll('#{AWS::Partition}', 'aws')) as AslDefinition;
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

/** The function key of a Task whose Resource is `{"Fn::GetAtt": [key, "Arn"]}`, as serverless-step-functions writes it. */
export function functionKeyOf(state: AslState): string | undefined {
  const resource = state.Resource as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
  return typeof resource === 'object' && resource?.['Fn::GetAtt'] ? resource['Fn::GetAtt'][0] : undefined;
}
