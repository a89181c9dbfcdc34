import { gunzipSync, gzipSync } from 'node:zlib';
import type { JsonObject } from '../json.js';

/** A Kubernetes manifest as the progress table keeps it: plain JSON, or gzip+base64 when it is large. */
export type ArchivedManifest = { readonly encoding: 'json'; readonly manifest: JsonObject } | { readonly encoding: 'gzip+base64'; readonly data: string };

// DynamoDB items are at most 400 KB (docs/quotas-and-prices.md#dynamodb); the snapshot item also holds the add-on
// facts, so a manifest above 64 KB of JSON is compressed. A DaemonSet is a few KB, but annotations
// (last-applied-configuration) can be large.
const INLINE_LIMIT = 64 * 1024;
const ARCHIVE_LIMIT = 300 * 1024;

/**
 * The manifest as `kubectl get -o yaml` shows it (managedFields dropped, as kubectl has hidden them since Kubernetes
 * 1.21) without its status, ready for the snapshot item.
 *
 * @throws RangeError when even compressed it would not fit a DynamoDB item
 * @example
 * archiveManifest(daemonSet) // { encoding: 'json', manifest: { apiVersion: 'apps/v1', kind: 'DaemonSet', … } }
 */
export function archiveManifest(manifest: JsonObject): ArchivedManifest {
  const metadata = manifest.metadata;
  // `status` is observed state (ready counts move on their own): without it a retried snapshot of an unchanged
  // DaemonSet is byte-identical, which the write-once snapshot item requires.
  const { status: _status, ...spec } = manifest;
  const trimmed: JsonObject =
    typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
      ? { ...spec, metadata: Object.fromEntries(Object.entries(metadata).filter(([k]) => k !== 'managedFields')) }
      : spec;
  const text = JSON.stringify(trimmed);
  if (Buffer.byteLength(text) <= INLINE_LIMIT) return { encoding: 'json', manifest: trimmed };
  const data = gzipSync(text).toString('base64');
  if (data.length > ARCHIVE_LIMIT) throw new RangeError(`the manifest is ${data.length} bytes compressed; a DynamoDB item holds 400 KB`);
  return { encoding: 'gzip+base64', data };
}

/**
 * The manifest back from the snapshot item.
 *
 * @example
 * restoreManifest(snapshot.selfManaged.daemonSet).spec
 */
export function restoreManifest(archived: ArchivedManifest): JsonObject {
  return archived.encoding === 'json' ? archived.manifest : (JSON.parse(gunzipSync(Buffer.from(archived.data, 'base64')).toString('utf8')) as JsonObject);
}
