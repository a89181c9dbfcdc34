import { z } from 'zod';
import { EksBuildVersion } from '../fleet/names.js';

/**
 * A rollback of a cluster's last hop (docs/operating-a-run.md, "Rollback"): the builds the operator confirmed, the
 * one the add-on runs (`from`, the last hop's target) and the one it ran before that hop (`to`). The workflow checks
 * both against the cluster's history and refuses anything else: never more than one minor, never a guess.
 */
export const RollbackRequest = z.strictObject({
  from: EksBuildVersion,
  to: EksBuildVersion,
  /** Why, as the record and the history show it. */
  reason: z.string().min(1).max(512).optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;
