import { causeMessage } from '../workflow/cause-message.js';
import { waveLabel } from '../controls/approval-notice.js';
import type { StepDeps } from './step-deps.js';
import type { WaveWork } from '../workflow/task-events.js';

/** RecordApproval's input: the wave loop's `$.work` and what the callback Task ended with. */
export type ApprovalOutcome =
  | { readonly runId: string; readonly work: WaveWork; readonly approved: true; readonly answer: unknown }
  | { readonly runId: string; readonly work: WaveWork; readonly approved: false; readonly failure: { readonly Error: string; readonly Cause?: string | undefined } };

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/**
 * RecordApproval (and RecordRejection, the same function after the callback Task's Catch): records the answer on
 * the wave's APPROVAL item, whoever sent it (`cni-fleet approve|reject`, the console, the AWS CLI). Approved: the
 * wave goes (`approvedFor`). Rejected (SendTaskFailure) or unanswered (`States.Timeout`): the run halts before this
 * wave with the reason, so this wave and every later one records its clusters SKIPPED and the run ends HALTED.
 *
 * @example
 * await recordApproval({ runId, work, approved: true, answer: { approvedBy: 'alice' } }, deps) // { …work, approvedFor: 1 }
 */
export async function recordApproval(outcome: ApprovalOutcome, deps: StepDeps): Promise<WaveWork> {
  const { runId, work } = outcome;
  const at = deps.now().toISOString();
  const wave = `wave ${work.index + 1} (${waveLabel(work.name)})`;
  if (outcome.approved) {
    const answer = typeof outcome.answer === 'object' && outcome.answer !== null ? (outcome.answer as Record<string, unknown>) : {};
    const by = text(answer['approvedBy']) ?? text(answer['by']) ?? 'SendTaskSuccess (no approvedBy in its output)';
    await deps.store.answerApproval(runId, work.index, { status: 'APPROVED', by, note: text(answer['note']), at });
    return { ...work, approvedFor: work.index };
  }
  const timedOut = outcome.failure.Error === 'States.Timeout' || outcome.failure.Error === 'States.HeartbeatTimeout';
  const cause = causeMessage(outcome.failure.Cause);
  // `cni-fleet reject` sends "rejected by NAME: REASON"; anyone else's SendTaskFailure is recorded as it came.
  const by = /^rejected by (.+?):/.exec(cause)?.[1] ?? (timedOut ? 'nobody' : `SendTaskFailure (${outcome.failure.Error})`);
  const reason = timedOut ? `approval of ${wave} not given in time (${outcome.failure.Error})` : `approval of ${wave} rejected: ${cause || outcome.failure.Error}`;
  await deps.store.answerApproval(runId, work.index, { status: timedOut ? 'TIMED_OUT' : 'REJECTED', by, note: cause || null, at });
  await deps.store.markHalted(runId, { wave: work.index, name: work.name, reason });
  return work;
}
