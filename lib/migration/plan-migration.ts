import type { SelfManagedState } from '../workflow/state.js';
import type { FittedTranslation } from './fit-to-schema.js';
import { configurationOf, type CarriedSetting, type Translation, type UntranslatableSetting } from './translate-settings.js';

/**
 * The translation a snapshot of a self-managed install keeps (the carried settings, what stays behind, the IRSA
 * role), as the planner takes it: PlanUpgrade fits it to every build on the path (lib/plan/cluster-decision.ts).
 *
 * @example
 * snapshotTranslation(snapshot.selfManaged, snapshot.serviceAccountRoleArn).configuration // { env: { WARM_IP_TARGET: '3' } }
 */
export function snapshotTranslation(selfManaged: SelfManagedState, serviceAccountRoleArn: string | null): Translation {
  const carried = selfManaged.carried as CarriedSetting[];
  return { configuration: configurationOf(carried), serviceAccountRoleArn, carried, untranslatable: selfManaged.untranslatable as UntranslatableSetting[] };
}

/**
 * One line per setting: what CreateAddon carries over, and what it cannot.
 *
 * @example
 * migrationNotes(fitted) // ['carried over: env.WARM_IP_TARGET=3', 'NOT carried over: .spec.template.spec.volumes[name="certs"] (…)']
 */
export function migrationNotes(fitted: Pick<FittedTranslation, 'carried' | 'untranslatable' | 'serviceAccountRoleArn'>): string[] {
  const value = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return [
    ...fitted.carried.map((c) => `carried over: ${c.key}=${value(c.value)}`),
    ...(fitted.serviceAccountRoleArn ? [`IRSA role carried over: ${fitted.serviceAccountRoleArn}`] : []),
    ...fitted.untranslatable.map((u) => `NOT carried over: ${u.field} (${u.reason})`),
  ];
}
