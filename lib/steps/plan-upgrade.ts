import { snapshotTranslation } from '../migration/plan-migration.js';
import { decidePath, refusalError } from '../plan/cluster-decision.js';
import type { ClusterState, PlanState } from '../workflow/state.js';
import { configurationSchema, offeredBuilds } from '../addon/eks-catalogue.js';
import { addonSpec } from '../addon-spec.js';
import type { StepDeps } from './step-deps.js';
import { decideRollback, findLastHop } from '../controls/rollback.js';

/**
 * PlanUpgrade: the minor-by-minor path from the snapshot's version to the target (lib/versions/plan-path.ts),
 * from the builds EKS offers for the cluster's Kubernetes version. Before any change it checks the cluster's
 * configurationValues against the schema of every version on the path: a key that an intermediate version
 * does not accept would otherwise fail mid-way (docs/vpc-cni-settings.md#configurationvalues).
 *
 * @throws PlanBlockedError when no safe path exists; UntranslatableSettingsError for self-managed settings the add-on
 *   cannot take over (unless options.acceptUntranslatable); ConfigurationRejectedError naming the version and key
 * @example
 * const plan = await planUpgrade(state, deps); // { hops: [{ index: 1, from: 'v1.12.6-eksbuild.2', to: 'v1.13.4-eksbuild.1', kind: 'minor' }, …], nextHop: 0 }
 */
export async function planUpgrade(state: Pick<ClusterState, 'runId' | 'cluster' | 'options' | 'snapshot' | 'rollback'> & Partial<Pick<ClusterState, 'addon'>>, deps: StepDeps): Promise<PlanState> {
  const { snapshot, cluster } = state;
  if (!snapshot) throw new Error('PlanUpgrade needs the snapshot (ASL order)');
  // A rollback (docs/operating-a-run.md): its rules first, then the one hop back planned and checked as any plan —
  // the older build's configuration schema included — by an exact, older target.
  let options = state.options;
  if (state.rollback) {
    const rollback = decideRollback(cluster.key, state.rollback, await findLastHop(deps.store, cluster.key, state.runId), snapshot);
    await deps.store.updateCluster(state.runId, cluster.key, { step: 'PlanUpgrade', rollback });
    options = { ...options, target: rollback.to, allowDowngrade: true };
  }
  const eks = deps.eksFor(cluster);
  const addon = addonSpec(state.addon);
  const builds = await offeredBuilds(eks, deps.cache, snapshot.kubernetesVersion, deps.now().getTime(), addon.name);
  // The rules `cni-fleet plan` applies too (lib/plan/cluster-decision.ts): the path, then the self-managed settings
  // fitted to every build's schema (what the create carries over and what it cannot), then the add-on's
  // configurationValues against every build's schema.
  const decision = await decidePath({
    from: snapshot.addonVersion,
    install: snapshot.install,
    kubernetesVersion: snapshot.kubernetesVersion,
    builds,
    target: options.target,
    allowDowngrade: options.allowDowngrade,
    acceptUntranslatable: options.acceptUntranslatable,
    configurationValues: snapshot.configurationValues,
    translation: snapshot.install === 'self-managed' && snapshot.selfManaged ? snapshotTranslation(snapshot.selfManaged, snapshot.serviceAccountRoleArn) : undefined,
    schemaFor: (version) => configurationSchema(eks, deps.cache, version, addon.name),
    policy: addon.versionPolicy,
  });
  const notes = [...decision.notes];
  if (decision.plan === undefined) {
    await deps.store.updateCluster(state.runId, cluster.key, { step: 'PlanUpgrade' });
    throw refusalError(cluster.key, decision.refusal);
  }
  const { plan, migration } = decision;
  await deps.store.putPlan(state.runId, cluster.key, { ...plan, notes });
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'PlanUpgrade', target: plan.target, hopCount: plan.hops.length });
  if (decision.refusal) throw refusalError(cluster.key, decision.refusal);
  return {
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
            configurationValues: migration.configurationValues,
            serviceAccountRoleArn: migration.serviceAccountRoleArn,
            carried: JSON.parse(JSON.stringify(migration.carried)) as NonNullable<PlanState['migration']>['carried'],
            untranslatable: [...migration.untranslatable],
          },
        }
      : {}),
  };
}
