/** The error name `cni-fleet reject` sends with SendTaskFailure: RecordRejection records it as REJECTED. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/** An operator's answer to a wave's approval. */
export type ApprovalAnswer = { readonly approve: true; readonly by: string; readonly note: string | null } | { readonly approve: false; readonly by: string; readonly reason: string };

/**
 * What SendTaskSuccess/SendTaskFailure carry for an answer: the output RecordApproval reads (`approvedBy`, `note`), or
 * the error and the cause (`rejected by NAME: REASON`) RecordRejection records. The same whoever answers: the
 * CLI against AWS, `--local`, or the rehearsal's own prompt.
 *
 * @example
 * answerRequest({ approve: false, by: 'bob', reason: 'canary pages' }) // { kind: 'failure', error: 'ApprovalRejected', cause: 'rejected by bob: canary pages' }
 */
export function answerRequest(answer: ApprovalAnswer): { kind: 'success'; output: string } | { kind: 'failure'; error: string; cause: string } {
  if (answer.approve) return { kind: 'success', output: JSON.stringify({ approvedBy: answer.by, note: answer.note }) };
  return { kind: 'failure', error: APPROVAL_REJECTED, cause: `rejected by ${answer.by}: ${answer.reason}` };
}
