/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order in the result.
 * The first rejection rejects the whole map (calls already started still run to completion).
 *
 * @example
 * await mapConcurrent(names, 5, (name) => eks.send(new DescribeClusterCommand({ name })))
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
