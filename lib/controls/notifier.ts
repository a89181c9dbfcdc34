import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { JsonObject } from '../json.js';

/** The EventBridge `source` of cni-fleet's own events; serverless.yml's ApprovalRequestedRule matches it. */
export const NOTICE_SOURCE = 'cni-fleet';

/**
 * Something an operator must hear about while a run waits for them (an approval). `message` is the one line the
 * notification topic sends; `detail` carries the fields for anything else subscribed to the event.
 */
export interface Notice {
  /** The event's detail-type, e.g. `cni-fleet Approval Requested`. */
  readonly detailType: string;
  readonly message: string;
  readonly detail: JsonObject;
}

/** Where notices go: EventBridge in AWS (then the outcome topic), the terminal in a rehearsal. */
export interface Notifier {
  publish(notice: Notice): Promise<void>;
}

/** EventBridge refused an entry of PutEvents (it answers 200 with FailedEntryCount for those). */
export class NoticeNotSentError extends Error {
  override readonly name = 'NoticeNotSentError' as const;
}

/**
 * A Notifier over EventBridge's default bus: `cni-fleet` events, which the stage's ApprovalRequestedRule sends to its
 * outcome topic (serverless.yml) — the same path as the runs' outcomes.
 *
 * @example
 * await eventBridgeNotifier(() => new EventBridgeClient({})).publish({ detailType: 'cni-fleet Approval Requested', message, detail });
 */
export function eventBridgeNotifier(client: () => EventBridgeClient): Notifier {
  return {
    async publish(notice) {
      const answer = await client().send(
        new PutEventsCommand({ Entries: [{ Source: NOTICE_SOURCE, DetailType: notice.detailType, Detail: JSON.stringify({ ...notice.detail, message: notice.message }) }] }),
      );
      const failed = answer.Entries?.find((e) => e.ErrorCode);
      if ((answer.FailedEntryCount ?? 0) > 0) throw new NoticeNotSentError(`EventBridge refused the notice: ${failed?.ErrorCode ?? 'unknown'}: ${failed?.ErrorMessage ?? ''}`);
    },
  };
}

/**
 * A Notifier for a rehearsal: notices are kept in order (and handed to `onNotice`, e.g. the terminal) instead of
 * going through EventBridge, which a rehearsal does not have.
 *
 * @example
 * const local = localNotifier((n) => process.stderr.write(`${n.message}\n`)); // local.notices after the run
 */
export function localNotifier(onNotice?: (notice: Notice) => void): Notifier & { readonly notices: Notice[] } {
  const notices: Notice[] = [];
  return {
    notices,
    async publish(notice) {
      notices.push(notice);
      onNotice?.(notice);
    },
  };
}
