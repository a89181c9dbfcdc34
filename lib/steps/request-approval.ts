import { approvalNotice } from '../controls/approval-notice.js';
import type { StepDeps } from './step-deps.js';

/** What RequestApproval's payload carries (the fleet workflow's `lambda:invoke.waitForTaskToken` Task). */
export interface ApprovalRequest {
  readonly runId: string;
  readonly wave: { readonly index: number; readonly name: string; readonly lanes: number; readonly clusters: number; readonly count: number };
  /** `$$.Task.Token`: what SendTaskSuccess/SendTaskFailure answer. */
  readonly taskToken: string;
  readonly executionArn: string;
  /** The Task's TimeoutSeconds: when the run stops waiting. */
  readonly timeoutSeconds: number;
}

/**
 * RequestApproval: the wave waits for an operator. Stores the task token in the progress table (the APPROVAL item
 * `cni-fleet approve|reject` reads) and sends a notice — what to approve and how — through EventBridge to the
 * stage's outcome topic. A notice that cannot be sent is recorded on the item, not thrown: the run still waits, and
 * `cni-fleet status`/`runs` show it. The function's result is not the Task's: the answer to the token is.
 *
 * @example
 * await requestApproval({ runId: 'weekly-48', wave: { index: 1, name: '1', lanes: 4, clusters: 40, count: 3 }, taskToken, executionArn, timeoutSeconds: 86400 }, deps)
 * // { status: 'PENDING', deadline: '2026-12-08T10:00:00.000Z', notice: { sent: true, error: null } }
 */
export async function requestApproval(request: ApprovalRequest, deps: StepDeps) {
  const now = deps.now();
  const deadline = new Date(now.getTime() + request.timeoutSeconds * 1000).toISOString();
  const notice = approvalNotice({ ...request, deadline, stage: deps.stage });
  let sent: { sent: boolean; error: string | null } = { sent: true, error: null };
  try {
    await deps.notifier.publish(notice);
  } catch (error) {
    sent = { sent: false, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  const stored = await deps.store.putApproval(request.runId, {
    wave: { index: request.wave.index, name: request.wave.name },
    clusters: request.wave.clusters,
    lanes: request.wave.lanes,
    status: 'PENDING',
    taskToken: request.taskToken,
    executionArn: request.executionArn,
    requestedAt: now.toISOString(),
    deadline,
    answeredAt: null,
    answeredBy: null,
    note: null,
    notice: sent,
  });
  return { status: stored?.status ?? 'ANSWERED', deadline, notice: sent };
}
