import type { Notice } from './notifier.js';

/** The EventBridge detail-type of an approval request; serverless.yml's ApprovalRequestedRule matches it. */
export const APPROVAL_REQUESTED = 'cni-fleet Approval Requested';

/** `untagged` for the wave of clusters without the wave tag, else the tag value. */
export const waveLabel = (name: string): string => (name === '' ? 'untagged' : name);

/**
 * The notice of a wave waiting for approval: what (the run, the wave, its size, the deadline) and how (the CLI
 * commands for the stage, or `--local` in a rehearsal; SendTaskSuccess/SendTaskFailure with the stored token).
 *
 * @example
 * approvalNotice({ runId: 'weekly-48', wave: { index: 1, name: '1', lanes: 4, clusters: 40, count: 3 }, deadline, stage: 'prod', executionArn })
 * // { detailType: 'cni-fleet Approval Requested', message: 'cni-fleet run weekly-48: wave 2 of 3 (1, 40 clusters in 4 lanes) waits for approval until … Approve: cni-fleet approve weekly-48 --wave 1 --stage prod …', … }
 */
export function approvalNotice(request: {
  readonly runId: string;
  readonly wave: { readonly index: number; readonly name: string; readonly lanes: number; readonly clusters: number; readonly count: number };
  readonly deadline: string;
  readonly stage: string | undefined;
  readonly executionArn: string;
}): Notice {
  const { runId, wave } = request;
  const where = request.stage ? `--stage ${request.stage}` : '--local';
  const label = waveLabel(wave.name);
  const message =
    `cni-fleet run ${runId}: wave ${wave.index + 1} of ${wave.count} (${label}, ${wave.clusters} cluster(s) in ${wave.lanes} lane(s)) waits for approval until ${request.deadline}; unanswered, the run halts then. ` +
    `Approve: cni-fleet approve ${runId} --wave ${label} ${where}. Reject: cni-fleet reject ${runId} --wave ${label} ${where} --reason "…". ` +
    `Or SendTaskSuccess/SendTaskFailure with the taskToken of item RUN#${runId} APPROVAL#${String(wave.index).padStart(5, '0')} in the progress table (execution ${request.executionArn}).`;
  return {
    detailType: APPROVAL_REQUESTED,
    message,
    detail: { runId, wave: { index: wave.index, name: wave.name, label, clusters: wave.clusters, lanes: wave.lanes, of: wave.count }, deadline: request.deadline, executionArn: request.executionArn },
  };
}
