import pLimit from 'p-limit';
import type { JsonValue } from '../../lib/json.js';
import { queryPath, resolveTemplate } from './json-path.js';
import type { MapSpec } from './prepare-definition.js';
import { executionStopped, statesRuntime, toleratedFailureExceeded } from './states-errors.js';
import { DISTRIBUTED_MAP_MAX_CONCURRENCY, INLINE_MAP_MAX_CONCURRENCY, PAYLOAD_LIMIT_BYTES, payloadBytes } from './step-functions-quotas.js';

/** An iteration or a child execution the runner started for one item (or batch). */
export interface StartedItem {
  readonly result: Promise<JsonValue>;
  abort(): void;
}

/** What a Map needs from the execution it runs in. */
export interface MapRunContext {
  readonly spec: MapSpec;
  /** The Map state's effective input (after InputPath). */
  readonly input: JsonValue;
  /** The context object (`$$`), to which `Map.Item` is added for the ItemSelector. */
  readonly context: JsonValue;
  /** True once the execution running the Map has been failed or stopped: start nothing more. */
  readonly stopped: () => boolean;
  /** Starts item `index`: an iteration in the parent's history (INLINE) or a child execution (DISTRIBUTED). */
  readonly start: (input: JsonValue, index: number) => StartedItem;
  /** Sizes an inline iteration's input, which is a state input of the parent execution. */
  readonly noteIterationInput: (bytes: number, index: number) => void;
}

const integerAt = (value: JsonValue, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw statesRuntime(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
};

/** A literal field or the number its `…Path` twin selects; undefined when neither is set. */
function numberField(run: MapRunContext, literal: number | undefined, path: string | undefined, field: string, min: number, max?: number, integer = true): number | undefined {
  const value = path !== undefined ? queryPath(path, run.input, run.context) : literal;
  if (value === undefined) return undefined;
  if (integer) return integerAt(value, field, min, max);
  if (typeof value !== 'number' || value < min || value > (max ?? Infinity)) throw statesRuntime(`${field} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Runs a Map state the way Step Functions does, for the Task that stands in for it (prepare-definition.ts):
 * ItemsPath, ItemSelector (with `$$.Map.Item`), MaxConcurrency(Path) — at most 40 iterations at once inline,
 * 10,000 child executions distributed, 0 meaning that maximum — and, for a Distributed Map, ItemBatcher and
 * ToleratedFailureCount/Percentage(Path). Resolves with the results in item order; a failed inline iteration
 * fails the Map with its error, a Map Run over its failure threshold with States.ExceedToleratedFailureThreshold.
 */
export async function runMap(run: MapRunContext): Promise<JsonValue[]> {
  const { spec } = run;
  const distributed = spec.mode === 'DISTRIBUTED';
  const items = spec.itemsPath !== undefined ? queryPath(spec.itemsPath, run.input, run.context) : run.input;
  if (!Array.isArray(items)) throw statesRuntime(`Map state '${spec.stateName}': its input or ItemsPath must select an array, got ${typeof items}`);
  const cap = distributed ? DISTRIBUTED_MAP_MAX_CONCURRENCY : INLINE_MAP_MAX_CONCURRENCY;
  const asked = numberField(run, spec.maxConcurrency, spec.maxConcurrencyPath, 'MaxConcurrency', 0) ?? 0;
  const concurrency = asked === 0 ? cap : Math.min(asked, cap);
  const tolerated = {
    count: numberField(run, spec.toleratedFailureCount, spec.toleratedFailureCountPath, 'ToleratedFailureCount', 0),
    percentage: numberField(run, spec.toleratedFailurePercentage, spec.toleratedFailurePercentagePath, 'ToleratedFailurePercentage', 0, 100, false),
  };
  const selected = (index: number): JsonValue => {
    const value = items[index] as JsonValue;
    if (spec.itemSelector === undefined) return value;
    const context = { ...(run.context as Record<string, JsonValue>), Map: { Item: { Index: index, Value: value } } };
    return resolveTemplate(spec.itemSelector, run.input, context);
  };
  const inputs = distributed && spec.itemBatcher ? batches(run, items.length, selected) : items.map((_, i) => () => selected(i));

  const results: JsonValue[] = new Array<JsonValue>(inputs.length).fill(null);
  const running = new Set<StartedItem>();
  let failure: unknown;
  let failed = 0;
  const overThreshold = (): boolean => {
    if (tolerated.count === undefined && tolerated.percentage === undefined) return failed > 0;
    return (tolerated.count !== undefined && failed > tolerated.count) || (tolerated.percentage !== undefined && (failed * 100) / inputs.length > tolerated.percentage);
  };
  const limit = pLimit(concurrency);
  await Promise.all(
    inputs.map((input, index) =>
      limit(async () => {
        if (failure !== undefined || run.stopped()) return;
        const itemInput = input();
        if (!distributed) {
          run.noteIterationInput(payloadBytes(itemInput), index);
          if (run.stopped()) return;
        }
        const item = run.start(itemInput, index);
        running.add(item);
        try {
          results[index] = await item.result;
        } catch (error) {
          if (failure !== undefined || run.stopped()) return;
          if (distributed) {
            // A failed child leaves null in its place; the Map Run goes on until its threshold is exceeded.
            failed += 1;
            if (!overThreshold()) return;
            failure = toleratedFailureExceeded();
          } else failure = (error as Error).cause ?? error;
          for (const other of running) if (other !== item) other.abort();
        } finally {
          running.delete(item);
        }
      }),
    ),
  );
  if (run.stopped()) throw executionStopped();
  if (failure !== undefined) throw failure;
  return results;
}

/** ItemBatcher: items (after ItemSelector) in batches by count and bytes, each `{BatchInput?, Items}`. */
function batches(run: MapRunContext, count: number, selected: (index: number) => JsonValue): (() => JsonValue)[] {
  const batcher = run.spec.itemBatcher ?? {};
  const maxItems = numberField(run, batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, 'MaxItemsPerBatch', 1);
  const maxBytes = numberField(run, batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, 'MaxInputBytesPerBatch', 1, PAYLOAD_LIMIT_BYTES);
  if (maxItems === undefined && maxBytes === undefined) throw statesRuntime(`Map state '${run.spec.stateName}': ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch`);
  const batchInput = batcher.BatchInput === undefined ? undefined : resolveTemplate(batcher.BatchInput, run.input, run.context);
  const wrap = (items: JsonValue[]): JsonValue => (batchInput === undefined ? { Items: items } : { BatchInput: batchInput, Items: items });
  const out: (() => JsonValue)[] = [];
  const emptyBytes = payloadBytes(wrap([]));
  let current: JsonValue[] = [];
  let bytes = emptyBytes;
  const close = (): void => {
    const full = current;
    out.push(() => wrap(full));
  };
  for (let i = 0; i < count; i += 1) {
    const item = selected(i);
    // The batch's JSON grows by the item and, after the first, a comma.
    const itemBytes = payloadBytes(item) + (current.length > 0 ? 1 : 0);
    const tooMany = maxItems !== undefined && current.length + 1 > maxItems;
    const tooBig = maxBytes !== undefined && current.length > 0 && bytes + itemBytes > maxBytes;
    if (tooMany || tooBig) {
      close();
      current = [item];
      bytes = emptyBytes + payloadBytes(item);
    } else {
      current.push(item);
      bytes += itemBytes;
    }
  }
  if (current.length > 0) close();
  return out;
}
