import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { waveLabel } from '../controls/approval-notice.js';
import type { ApprovalItem, RunControl } from '../store/control-records.js';
import type { ProgressStore } from '../store/progress-store.js';
import { answerRequest, type ApprovalAnswer } from './approval-answer.js';
import { NoPendingApprovalError, RunNotFoundError, RunNotRunningError } from './operator-errors.js';

/**
 * `cni-fleet pause|resume RUN`: sets the run's control record, which the workflow reads before each cluster starts
 * and before each wave (docs/operating-a-run.md). A paused run starts nothing new; clusters already changing finish.
 *
 * @throws RunNotFoundError, RunNotRunningError (the run ended, or is already in that state)
 * @example
 * await setRunPaused(store, 'weekly-48', { paused: true, by: 'alice', reason: 'incident 4711', now: new Date() }, 'table cni-fleet-prod-progress')
 */
export async function setRunPaused(
  store: ProgressStore,
  runId: string,
  change: { readonly paused: boolean; readonly by: string; readonly reason: string | null; readonly now: Date },
  where: string,
): Promise<RunControl> {
  const gate = await store.getRunGate(runId);
  if (!gate) throw new RunNotFoundError(runId, where);
  const action = change.paused ? 'pause' : 'resume';
  if (gate.status !== 'RUNNING') throw new RunNotRunningError(runId, gate.status, action);
  const current = gate.control?.state ?? 'RUNNING';
  if ((current === 'PAUSED') === change.paused) throw new RunNotRunningError(runId, current === 'PAUSED' ? `paused already (by ${gate.control?.by ?? '?'} at ${gate.control?.at ?? '?'})` : 'not paused', action);
  const control: RunControl = { state: change.paused ? 'PAUSED' : 'RUNNING', by: change.by, at: change.now.toISOString(), reason: change.reason };
  const stored = await store.setRunControl(runId, control);
  // The run ended between the read and the write.
  if (!stored) throw new RunNotRunningError(runId, (await store.getRunGate(runId))?.status ?? 'gone', action);
  return stored;
}

/**
 * The approval a run waits for: the PENDING one, of wave `wave` (its tag value, `untagged` for the untagged wave)
 * when given.
 *
 * @throws RunNotFoundError, NoPendingApprovalError (listing the run's approvals)
 */
export async function pendingApproval(store: ProgressStore, runId: string, wave: string | undefined, where: string): Promise<ApprovalItem> {
  const approvals = await store.listApprovals(runId);
  if (approvals.length === 0 && !(await store.getRunGate(runId))) throw new RunNotFoundError(runId, where);
  const pending = approvals.filter((a) => a.status === 'PENDING' && (wave === undefined || waveLabel(a.wave.name) === wave));
  const found = pending[0];
  if (!found) throw new NoPendingApprovalError(runId, wave, approvals.map((a) => `wave ${a.wave.index + 1} (${waveLabel(a.wave.name)}) ${a.status}`));
  return found;
}

/**
 * `cni-fleet approve|reject RUN`: answers the run's pending approval with SendTaskSuccess or SendTaskFailure on its
 * task token — the call the console or the AWS CLI would make — in the Step Functions the `sfn` client reaches (the
 * stage's Region, or a rehearsal's local endpoint). The workflow records the answer (RecordApproval).
 *
 * @throws RunNotFoundError, NoPendingApprovalError; the SDK's TaskTimedOut when the gate ended meanwhile
 * @example
 * await answerApproval({ store, sfn, runId: 'weekly-48', wave: '1', answer: { approve: true, by: 'alice', note: null }, where })
 */
export async function answerApproval(input: {
  readonly store: ProgressStore;
  readonly sfn: SFNClient;
  readonly runId: string;
  readonly wave: string | undefined;
  readonly answer: ApprovalAnswer;
  readonly where: string;
}): Promise<ApprovalItem> {
  const approval = await pendingApproval(input.store, input.runId, input.wave, input.where);
  const request = answerRequest(input.answer);
  if (request.kind === 'success') await input.sfn.send(new SendTaskSuccessCommand({ taskToken: approval.taskToken, output: request.output }));
  else await input.sfn.send(new SendTaskFailureCommand({ taskToken: approval.taskToken, error: request.error, cause: request.cause }));
  return approval;
}
