import { describe, expect, it } from 'vitest';
import { UnsupportedDefinitionError } from '../../lib/errors.js';
import type { LocalTask, PendingTaskToken } from '../../rehearsal/runner/workflow-runner.js';
import { TaskTokenApiError } from '../../rehearsal/runner/workflow-runner.js';
import { syntheticRunner } from './synthetic-runner.js';

// `lambda:invoke.waitForTaskToken` as the runner emulates it: the function gets the token in its payload, the Task
// waits (on virtual time) until SendTaskSuccess/SendTaskFailure, its TimeoutSeconds or its HeartbeatSeconds.

const START = Date.UTC(2026, 11, 1);

/** A machine whose only Task asks `ask` with the token, then passes the answer on; a Catch records a failure. */
const askMachine = (task: Record<string, unknown> = {}) => ({
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: { 'Fn::GetAtt': ['ask', 'Arn'] }, Payload: { 'question.$': '$.question', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.timeout',
      ResultPath: '$.answer',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' }],
      End: true,
      ...task,
    },
    Failed: { Type: 'Pass', End: true },
  },
});

/** The `ask` function records every payload; `onAsk` may answer through the runner. */
function asking() {
  const asked: { question: unknown; taskToken: string }[] = [];
  const tasks: Record<string, LocalTask> = {
    ask: async (payload) => {
      asked.push(payload as { question: unknown; taskToken: string });
      return { stored: true };
    },
  };
  return { asked, tasks };
}

describe('callback Tasks (.waitForTaskToken)', () => {
  it('gives the function a token and succeeds with what SendTaskSuccess sends, while virtual time stands still for the answer', async () => {
    // Prepare: a second client answers after a real pause; the observer holds virtual time until it has
    const { asked, tasks } = asking();
    const waiting: PendingTaskToken[] = [];
    const rig = syntheticRunner({ M: askMachine() }, tasks, (pending) =>
      new Promise((resolve) =>
        setTimeout(() => {
          waiting.push(...rig.runner.pendingTaskTokens());
          rig.runner.sendTaskSuccess(pending.token, JSON.stringify({ approvedBy: 'alice' }));
          resolve();
        }, 20),
      ),
    );
    // Act
    const outcome = await rig.run('M', { question: 'wave 2?', timeout: 3600 });
    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toEqual({ question: 'wave 2?', timeout: 3600, answer: { approvedBy: 'alice' } });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.taskToken).toMatch(/^local-[A-Za-z0-9_-]{100,}$/);
    expect(waiting.map((w) => [w.stateName, w.token])).toEqual([['Ask', asked[0]?.taskToken]]);
    // The token is closed once answered: a second answer is TaskTimedOut, as in AWS.
    expect(() => rig.runner.sendTaskSuccess(asked[0]!.taskToken, '{}')).toThrow(TaskTokenApiError);
    expect(rig.runner.pendingTaskTokens()).toEqual([]);
    expect(rig.clock.now()).toBe(START);
    expect(rig.endOf('M').historyEvents).toBe(1 + 3 + 3 + 1);
  });

  it('fails with the error and cause SendTaskFailure sends, which Catch sees', async () => {
    // Prepare
    const { tasks } = asking();
    const rig = syntheticRunner({ M: askMachine() }, tasks, async (pending) => rig.runner.sendTaskFailure(pending.token, 'ApprovalRejected', 'rejected by bob: the canary pages'));
    // Act
    const outcome = await rig.run('M', { question: 'wave 2?', timeout: 3600 });
    // Assess
    expect(outcome.output).toEqual({ question: 'wave 2?', timeout: 3600, failure: { Error: 'ApprovalRejected', Cause: 'rejected by bob: the canary pages' } });
  });

  it('ends with States.Timeout after TimeoutSeconds of virtual time when nobody answers, and closes the token', async () => {
    // Prepare
    const { asked, tasks } = asking();
    const rig = syntheticRunner({ M: askMachine() }, tasks);
    // Act
    const outcome = await rig.run('M', { question: 'wave 2?', timeout: 7200 });
    // Assess
    expect((outcome.output as { failure: { Error: string } }).failure.Error).toBe('States.Timeout');
    expect(rig.clock.now() - START).toBe(7_200_000);
    expect(() => rig.runner.sendTaskSuccess(asked[0]!.taskToken, '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('ends with States.HeartbeatTimeout when the heartbeats stop, not before', async () => {
    // Prepare: one heartbeat at once resets the 600 s heartbeat clock; then silence
    const { tasks } = asking();
    const rig = syntheticRunner({ M: askMachine({ TimeoutSecondsPath: undefined, HeartbeatSeconds: 600 }) }, tasks, async (pending) => rig.runner.sendTaskHeartbeat(pending.token));
    // Act
    const outcome = await rig.run('M', { question: 'still there?' });
    // Assess
    expect((outcome.output as { failure: { Error: string } }).failure.Error).toBe('States.HeartbeatTimeout');
    expect(rig.clock.now() - START).toBeGreaterThanOrEqual(600_000);
  });

  it('answers InvalidToken for a token it never issued and InvalidOutput for output that is not JSON', async () => {
    // Prepare
    const { tasks } = asking();
    const refusals: string[] = [];
    const rig = syntheticRunner({ M: askMachine() }, tasks, async (pending) => {
      for (const attempt of [() => rig.runner.sendTaskSuccess('not-a-token', '{}'), () => rig.runner.sendTaskSuccess(pending.token, 'yes')]) {
        try {
          attempt();
        } catch (error) {
          refusals.push((error as Error).name);
        }
      }
      rig.runner.sendTaskSuccess(pending.token, '"ok"');
    });
    // Act
    const outcome = await rig.run('M', { question: 'q', timeout: 60 });
    // Assess
    expect(refusals).toEqual(['InvalidToken', 'InvalidOutput']);
    expect((outcome.output as { answer: unknown }).answer).toBe('ok');
  });

  it('refuses a callback Task whose payload passes no task token: nobody could ever answer it', () => {
    // Act / Assess
    expect(() =>
      syntheticRunner({ M: askMachine({ Parameters: { FunctionName: { 'Fn::GetAtt': ['ask', 'Arn'] }, Payload: { 'question.$': '$.question' } } }) }),
    ).toThrow(UnsupportedDefinitionError);
  });
});
