import { userInfo } from 'node:os';
import { SFNClient } from '@aws-sdk/client-sfn';
import { formatResult } from '../../lib/cli/output.js';
import { InputValidationError } from '../../lib/errors.js';
import { sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { openRunningRehearsal } from './local-progress.js';
import { answerApproval, setRunPaused } from '../../lib/operator/run-controls.js';
import { looksLikeExecutionArn } from '../../lib/operator/execution-arn.js';
import { ExitCode, LOCAL_DATA_DIR, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, runCommand } from './common.js';
import { openDeployedLog, readsLocal, runIdOf } from './progress-log.js';

/** The options of `cni-fleet approve|reject|pause|resume` as commander parses them (bin/commands/controls.ts). */
export interface ControlOptions extends ProgressOptions {
  by?: string;
  wave?: string;
  note?: string;
  reason?: string;
}

// Step Functions ignores the credentials a local endpoint gets; the SDK still signs.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Who acts: `--by`, else this session's user name. */
function actor(options: ControlOptions): string {
  const by = options.by ?? userInfo().username;
  if (!by.trim() || by.length > 256) throw new InputValidationError('--by', 'must be a name of 1 to 256 characters');
  return by.trim();
}

/** `cni-fleet approve|reject|pause|resume RUN`: exit 0 done, 1 failure (no such run, nothing to do), 2 bad input. */
export async function runControl(action: 'approve' | 'reject' | 'pause' | 'resume', run: string, options: ControlOptions, io: CommandIo): Promise<number> {
  let source: ProgressSource | undefined;
  let sfn: SFNClient | undefined;
  return runCommand(io, action, options, async () => {
    try {
      const output = await commandOutput(options, io);
      const by = actor(options);
      if (action === 'reject' && !options.reason?.trim()) throw new InputValidationError('--reason', 'must say why the wave is rejected');
      let runId = run;
      if (readsLocal(options, !looksLikeExecutionArn(run))) {
        for (const [flag, value] of [['--region', options.region], ['--profile', options.profile], ['--endpoint-url', options.endpointUrl]] as const)
          if (value !== undefined) throw new InputValidationError(flag, 'applies to a deployed stage: add --stage or --table, or drop it to act on the local rehearsal');
        const local = await openRunningRehearsal(typeof options.local === 'string' ? options.local : LOCAL_DATA_DIR);
        source = local;
        sfn = new SFNClient({ endpoint: local.running.stepFunctions, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
      } else {
        const aws = awsOptions(options);
        runId = await runIdOf(run, aws);
        source = await openDeployedLog(options, aws);
        sfn = new SFNClient(sdkClientConfig(aws));
      }
      const where = source.description;
      const now = new Date();
      let document: Record<string, unknown>;
      if (action === 'approve' || action === 'reject') {
        const answer = action === 'approve' ? { approve: true as const, by, note: options.note ?? null } : { approve: false as const, by, reason: options.reason?.trim() ?? '' };
        const approval = await answerApproval({ store: source.store, sfn, runId, wave: options.wave, answer, where });
        document = { runId, action, wave: { index: approval.wave.index, name: approval.wave.name }, clusters: approval.clusters, by, at: now.toISOString(), ...(action === 'reject' ? { reason: options.reason } : { note: options.note ?? null }) };
        io.out(
          formatResult(document, output, () =>
            action === 'approve'
              ? `Approved wave ${approval.wave.index + 1} (${approval.wave.name || 'untagged'}, ${approval.clusters} cluster(s)) of run ${runId} as ${by}: it starts once the run's controls allow (${where}).\n`
              : `Rejected wave ${approval.wave.index + 1} (${approval.wave.name || 'untagged'}) of run ${runId} as ${by}: the run halts; its remaining clusters are SKIPPED (${where}).\n`,
          ),
        );
      } else {
        const control = await setRunPaused(source.store, runId, { paused: action === 'pause', by, reason: options.reason ?? null, now }, where);
        document = { runId, action, control };
        io.out(
          formatResult(document, output, () =>
            action === 'pause'
              ? `Paused run ${runId} as ${by}: no new cluster or wave starts until \`cni-fleet resume ${runId}\` (${where}).\n`
              : `Resumed run ${runId} as ${by}: held clusters and waves start at their next look (${where}).\n`,
          ),
        );
      }
      return ExitCode.OK;
    } finally {
      sfn?.destroy();
      await source?.close();
    }
  });
}
