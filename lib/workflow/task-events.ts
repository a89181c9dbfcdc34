import { z } from 'zod';
import { UpgradeOptions } from '../schemas/upgrade-options.js';
import { ClusterState } from './state.js';

/**
 * What each Task state hands its Lambda (the ASL's Parameters or the whole state). Loose objects: a step reads
 * its fields and ignores the rest; the deep, field-naming validation of user input happens in ValidateInput and
 * ValidateFleetInput.
 */
export { ClusterState };

export const ValidateInputEvent = z.object({ input: z.unknown(), executionId: z.string(), executionName: z.string() });

export const ValidateFleetInputEvent = z.object({
  input: z.unknown(),
  executionId: z.string(),
  executionName: z.string(),
  startedAt: z.string().optional(),
});

export const LockOwner = z.object({ executionId: z.string(), runId: z.string(), trigger: z.string(), cluster: z.object({ key: z.string() }) });

const Target = z.object({ name: z.string(), region: z.string(), accountId: z.string().optional(), roleArn: z.string().optional() });

export const FleetStateSchema = z.object({
  runId: z.string(),
  executionId: z.string(),
  trigger: z.string(),
  clusters: z.array(Target).optional(),
  selector: z
    .object({
      regions: z.array(z.string()),
      tags: z.record(z.string(), z.string()),
      accounts: z.array(z.object({ accountId: z.string(), roleArn: z.string() })).optional(),
      namePrefix: z.string().optional(),
    })
    .optional(),
  options: UpgradeOptions,
  waveTag: z.string(),
  skipTag: z.string(),
});

export const WaveState = z.object({
  runId: z.string(),
  wave: z.object({ name: z.string(), clusters: z.array(Target.extend({ accountId: z.string() })) }),
  options: UpgradeOptions,
});

export const RunRef = z.object({ runId: z.string() });

/**
 * EventBridge's "Step Functions Execution Status Change" event, as far as the cleanup reads it (the cleanup's rule
 * in serverless.yml; the local runner builds the same shape when it aborts its executions). `input` is the
 * execution's input as JSON text; EventBridge leaves it out when it is too large, hence optional.
 */
export const ExecutionStatusChange = z.object({
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    input: z.string().nullable().optional(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChange>;
