import type { SelfManagedState } from '../workflow/state.js';
import { fitToSchemas, type BuildSchema, type FittedTranslation } from './fit-to-schema.js';
import { configurationOf, type CarriedSetting, type UntranslatableSetting } from './translate-settings.js';

/**
 * The migration of a snapshotted self-managed install along a planned path: its carried settings fitted to the
 * schema of every build on the path, and plan notes that say what is carried over and what is not.
 *
 * @example
 * const { fitted, notes } = planMigration(snapshot.selfManaged, snapshot.serviceAccountRoleArn, [{ version, schema }]);
 * notes // ['carried over: env.WARM_IP_TARGET=3', 'IRSA role carried over: arn:aws:iam::…']
 */
export function planMigration(selfManaged: SelfManagedState, serviceAccountRoleArn: string | null, builds: readonly BuildSchema[]): { fitted: FittedTranslation; notes: string[] } {
  const carried = selfManaged.carried as CarriedSetting[];
  const fitted = fitToSchemas(
    { configuration: configurationOf(carried), serviceAccountRoleArn, carried, untranslatable: selfManaged.untranslatable as UntranslatableSetting[] },
    builds,
  );
  return { fitted, notes: migrationNotes(fitted) };
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
