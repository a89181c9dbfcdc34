import { validateConfigurationValues } from '../addon/configuration-schema.js';
import { ConfigurationRejectedError, PlanBlockedError, UntranslatableSettingsError } from '../errors.js';
import { planMigration } from '../migration/plan-migration.js';
import { planPath } from '../versions/plan-path.js';
import type { ClusterState, PlanState } from '../workflow/state.js';
import { configurationSchema, offeredBuilds } from './eks-catalogue.js';
import type { StepDeps } from './step-deps.js';

/**
 * PlanUpgrade: the minor-by-minor path from the snapshot's version to the target (lib/versions/plan-path.ts),
 * from the builds EKS offers for the cluster's Kubernetes version. Before any change it checks the cluster's
 * configurationValues against the schema of every version on the path: a key that an intermediate version
 * does not accept would otherwise fail mid-way (facts §11; peers §4 item 5).
 *
 * @throws PlanBlockedError when no safe path exists; ConfigurationRejectedError naming the version and key
 * @example
 * const plan = await planUpgrade(state, deps); // { hops: [{ index: 1, from: 'v1.12.6-eksbuild.2', to: 'v1.13.4-eksbuild.1', kind: 'minor' }, …], nextHop: 0 }
 */
export async function planUpgrade(state: Pick<ClusterState, 'runId' | 'cluster' | 'options' | 'snapshot'>, deps: StepDeps): Promise<PlanState> {
  const { snapshot, cluster, options } = state;
  if (!snapshot) throw new Error('PlanUpgrade needs the snapshot (ASL order)');
  const eks = deps.eksFor(cluster);
  const builds = await offeredBuilds(eks, deps.cache, snapshot.kubernetesVersion, deps.now().getTime());
  const plan = planPath({
    from: snapshot.addonVersion,
    target: options.target,
    kubernetesVersion: snapshot.kubernetesVersion,
    builds,
    install: snapshot.install,
    allowDowngrade: options.allowDowngrade,
  });
  // A self-managed install: its settings are fitted to every build's schema before anything is recorded, so the
  // PLAN record says what the create carries over and what it cannot (issue #6).
  const migration =
    snapshot.install === 'self-managed' && snapshot.selfManaged && !plan.blocked
      ? planMigration(
          snapshot.selfManaged,
          snapshot.serviceAccountRoleArn,
          await Promise.all(plan.hops.map(async (h) => ({ version: h.to, schema: await configurationSchema(eks, deps.cache, h.to) }))),
        )
      : undefined;
  const notes = [...plan.notes, ...(migration?.notes ?? [])];
  const record: PlanState = {
    from: plan.from,
    target: plan.target,
    kubernetesVersion: plan.kubernetesVersion,
    hops: plan.hops.map((h) => ({ index: h.index, from: h.from, to: h.to, kind: h.kind })),
    hopCount: plan.hops.length,
    nextHop: 0,
    notes,
    ...(migration
      ? {
          migration: {
            configurationValues: migration.fitted.configurationValues,
            serviceAccountRoleArn: migration.fitted.serviceAccountRoleArn,
            carried: JSON.parse(JSON.stringify(migration.fitted.carried)) as NonNullable<PlanState['migration']>['carried'],
            untranslatable: [...migration.fitted.untranslatable],
          },
        }
      : {}),
  };
  await deps.store.putPlan(state.runId, cluster.key, { ...plan, notes });
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'PlanUpgrade', target: plan.target, hopCount: record.hopCount });
  if (plan.blocked) throw new PlanBlockedError(cluster.key, plan.blocked.code, plan.blocked.reason);
  const left = migration?.fitted.untranslatable ?? [];
  if (left.length > 0 && !options.acceptUntranslatable)
    throw new UntranslatableSettingsError(cluster.key, left.map((u) => `${u.field}: ${u.reason}`));

  if (snapshot.configurationValues && snapshot.configurationValues.trim() !== '') {
    for (const hop of record.hops) {
      const schema = await configurationSchema(eks, deps.cache, hop.to);
      const verdict = validateConfigurationValues(schema, snapshot.configurationValues);
      if (!verdict.ok)
        throw new ConfigurationRejectedError(
          cluster.key,
          hop.to,
          verdict.problems.map((p) => `${p.path}: ${p.message}`),
        );
    }
  }
  return record;
}
