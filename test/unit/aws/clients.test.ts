import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../lib/aws/clients.js';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const TRIMMED = ['loggerMiddleware', 'getUserAgentMiddleware'];
const names = (stack: { identify(): string[] }): string[] => stack.identify().map((entry) => entry.split(' ')[0] ?? entry);

describe('createAwsClients', () => {
  it('drops the logger and User-Agent middleware only for clients on a loopback endpoint', () => {
    // Prepare
    const local = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:4566', dynamoEndpoint: 'http://localhost:8000', credentials: CREDENTIALS });
    const vpcEndpoint = createAwsClients({ region: 'us-east-1', eksEndpoint: 'https://vpce-0abc.eks.us-east-1.vpce.amazonaws.com', credentials: CREDENTIALS });
    const aws = createAwsClients({ region: 'us-east-1' });
    // Act
    const localEks = names(local.eksFor({ region: 'us-east-1' }).middlewareStack);
    const localDynamo = names(local.dynamo.middlewareStack);
    const vpcEks = names(vpcEndpoint.eksFor({ region: 'us-east-1' }).middlewareStack);
    const awsEks = names(aws.eksFor({ region: 'us-east-1' }).middlewareStack);
    const awsDynamo = names(aws.dynamo.middlewareStack);
    // Assess
    for (const stack of [localEks, localDynamo]) {
      expect(stack).not.toEqual(expect.arrayContaining([TRIMMED[0]]));
      expect(stack).not.toEqual(expect.arrayContaining([TRIMMED[1]]));
      expect(stack).toEqual(expect.arrayContaining(['retryMiddleware', 'httpSigningMiddleware']));
    }
    for (const stack of [vpcEks, awsEks, awsDynamo]) expect(stack).toEqual(expect.arrayContaining(TRIMMED));
  });

  it('builds one EKS client per region and role', () => {
    // Prepare
    const { eksFor } = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:4566', credentials: CREDENTIALS });
    // Act
    const first = eksFor({ region: 'eu-west-1' });
    const again = eksFor({ region: 'eu-west-1' });
    const other = eksFor({ region: 'us-east-1' });
    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });
});
