import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';

/**
 * The service error name of an AWS SDK error. Compared by name, not `instanceof`: a bundled Lambda and
 * the CLI may load two copies of the SDK.
 *
 * @example
 * awsErrorName(new ConditionalCheckFailedException({ message: 'x', $metadata: {} })) // 'ConditionalCheckFailedException'
 */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * True when DynamoDB refused a write because its ConditionExpression was false.
 *
 * @example
 * try { await doc.send(put) } catch (error) { if (!isConditionalCheckFailed(error)) throw error }
 */
export function isConditionalCheckFailed(error: unknown): boolean {
  return awsErrorName(error) === 'ConditionalCheckFailedException';
}

/** The parts of an UpdateItem/PutItem request that name attributes and values. */
export interface Expression {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

/**
 * A `SET` UpdateExpression for the given attributes. Every name goes through a placeholder because
 * DynamoDB reserves words this table uses as attributes (`status`, `owner`, `type`, `index` …).
 *
 * @example
 * setExpression({ status: 'RUNNING', step: 'PollHop' })
 * // { expression: 'SET #s0 = :s0, #s1 = :s1', names: { '#s0': 'status', '#s1': 'step' }, values: { ':s0': 'RUNNING', ':s1': 'PollHop' } }
 */
export function setExpression(attributes: Readonly<Record<string, NativeAttributeValue>>): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, NativeAttributeValue> = {};
  const clauses = Object.entries(attributes).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return { expression: `SET ${clauses.join(', ')}`, names, values };
}
