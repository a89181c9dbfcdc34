import { describe, expect, it } from 'vitest';
import { createAwsClients, simulatorAccountCredentials } from '../../../lib/aws/clients.js';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const HOME = '111122223333';
const TRIMMED = ['loggerMiddleware', 'getUserAgentMiddleware'];
const names = (stack: { identify(): string[] }): string[] => stack.identify().map((entry) => entry.split(' ')[0] ?? entry);

describe('createAwsClients', () => {
  it('drops the logger and User-Agent middleware only for clients on a loopback endpoint', () => {
    // Prepare
    const local = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:4566', dynamoEndpoint: 'http://localhost:8000', credentials: CREDENTIALS });
    const vpcEndpoint = createAwsClients({ region: 'us-east-1', eksEndpoint: 'https://vpce-0abc.eks.us-east-1.vpce.amazonaws.com', credentials: CREDENTIALS });
    const aws = createAwsClients({ region: 'us-east-1' });
    // Act
    const localEks = names(local.eksFor({ accountId: HOME, region: 'us-east-1' }).middlewareStack);
    const localDynamo = names(local.dynamo.middlewareStack);
    const vpcEks = names(vpcEndpoint.eksFor({ accountId: HOME, region: 'us-east-1' }).middlewareStack);
    const awsEks = names(aws.eksFor({ accountId: HOME, region: 'us-east-1' }).middlewareStack);
    const awsDynamo = names(aws.dynamo.middlewareStack);
    // Assess
    for (const stack of [localEks, localDynamo]) {
      expect(stack).not.toEqual(expect.arrayContaining([TRIMMED[0]]));
      expect(stack).not.toEqual(expect.arrayContaining([TRIMMED[1]]));
      expect(stack).toEqual(expect.arrayContaining(['retryMiddleware', 'httpSigningMiddleware']));
    }
    for (const stack of [vpcEks, awsEks, awsDynamo]) expect(stack).toEqual(expect.arrayContaining(TRIMMED));
  });

  it('builds one EKS client per account, region and role', () => {
    // Prepare
    const { eksFor } = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:4566', credentials: CREDENTIALS });
    // Act
    const first = eksFor({ accountId: HOME, region: 'eu-west-1' });
    const again = eksFor({ accountId: HOME, region: 'eu-west-1' });
    const other = eksFor({ accountId: HOME, region: 'us-east-1' });
    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(eksFor({ accountId: '222233334444', region: 'eu-west-1' })).not.toBe(first);
  });

  it('signs each account\'s requests with that account\'s credentials on a local server', async () => {
    // Prepare
    const { eksFor } = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:4566', credentials: CREDENTIALS, accountCredentials: simulatorAccountCredentials });
    // Act
    const home = await eksFor({ accountId: HOME, region: 'us-east-1' }).config.credentials();
    const other = await eksFor({ accountId: '222233334444', region: 'us-east-1', roleArn: 'arn:aws:iam::222233334444:role/cni-fleet-target' }).config.credentials();
    // Assess
    expect(home.accessKeyId).toBe(HOME);
    expect(other.accessKeyId).toBe('222233334444');
  });
});
