import { z } from 'zod';
import { UpgradeOptions } from '../schemas/upgrade-options.js';
import { ClusterState, StartHoldState } from './state.js';

/**
 * What each Task state hands its Lambda (the ASL's Parameters or the whole state). Loose objects: a step reads
 * its fields and ignores the rest; the deep, field-naming validation of user input happens in ValidateInput and
 * ValidateFleetInput.
 */
export { ClusterState };

/** TakeSnapshot's state: in the hold loop `$.snapshot` is the previous look's hold (anything else reads as none). */
export const TakeSnapshotEvent = ClusterState.extend({ snapshot: StartHoldState.optional().catch(undefined) });

export const ValidateInputEvent = z.object({ input: z.unknown(), executionId: z.string(), executionName: z.string() });

export const ValidateFleetInputEvent = z.object({
  input: z.unknown(),
  executionId: z.string(),
  executionName: z.string(),
  startedAt: z.string().optional(),
});

export const LockOwner = z.object({ executionId: z.string(), runId: z.string(), trigger: z.string(), cluster: z.object({ key: z.string() }) });

const Options = UpgradeOptions;

/** PlanLanes: the run id and the execution input (from the context object). */
export const PlanLanesEvent = z.object({ runId: z.string(), input: z.unknown() });

const Filter = z.object({ tags: z.record(z.string(), z.string()), namePrefix: z.string().optional() });

/** One lane's discovery (the discovery Map's ItemSelector; `final` on the attempt after the retries). */
export const DiscoverLaneEvent = z.object({
  runId: z.string(),
  lane: z.number().int().min(0),
  /** The add-on's name (the fleet state's `addon`); absent from a lane started before the field existed: vpc-cni. */
  addon: z.string().optional(),
  options: Options,
  waveTag: z.string(),
  skipTag: z.string(),
  filter: Filter,
  final: z.boolean().optional(),
});

const WaveCursor = z.object({ count: z.number().int(), next: z.number().int(), clusters: z.number().int() });

/** The wave loop's `$.work`: the cursor, the last wave looked at, and the wave gate's memory (lib/controls/wave-gate.ts). */
const WaveWork = WaveCursor.extend({
  index: z.number().int().optional(),
  name: z.string().optional(),
  bakedFor: z.number().int().nullable().optional(),
  approvedFor: z.number().int().nullable().optional(),
  holds: z.number().int().optional(),
  heldSince: z.string().nullable().optional(),
});

/** IndexWaves: the run, and the per-lane concurrency its lane order weighs work by. */
export const IndexWavesEvent = z.object({ runId: z.string(), options: Options.optional() });

export const NextWaveEvent = z.object({ runId: z.string(), options: Options, waves: WaveWork });

/** One lane's work in one wave (the wave Map's ItemSelector, plus the page cursor). */
export const LaneWaveEvent = z.object({
  runId: z.string(),
  lane: z.number().int().min(0),
  wave: z.object({ index: z.number().int(), name: z.string() }),
  halted: z.boolean().optional(),
  reason: z.string().nullable().optional(),
  cursor: z.number().int().min(0).optional(),
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

/** RequestApproval's payload (the fleet workflow's callback Task). */
export const ApprovalRequestEvent = z.object({
  runId: z.string(),
  wave: z.object({ index: z.number().int(), name: z.string(), lanes: z.number().int(), clusters: z.number().int(), count: z.number().int() }),
  taskToken: z.string().min(1),
  executionArn: z.string(),
  timeoutSeconds: z.number().int().min(1),
});

/**
 * The wave loop's `$.work` as CheckFailureBudget left it (lib/steps/check-failure-budget.ts WaveStep): RecordApproval
 * reads its wave and returns all of it with what it changed.
 */
const WaveStepWork = z.looseObject({ index: z.number().int(), name: z.string() });
export type WaveWork = z.infer<typeof WaveStepWork>;

/** RecordApproval / RecordRejection: the wave's work and the callback Task's answer or failure. */
export const ApprovalOutcomeEvent = z.union([
  z.object({ runId: z.string(), work: WaveStepWork, approved: z.literal(true), answer: z.unknown() }),
  z.object({ runId: z.string(), work: WaveStepWork, approved: z.literal(false), failure: z.object({ Error: z.string(), Cause: z.string().optional() }) }),
]);
