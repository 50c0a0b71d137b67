import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DRILL_ATTRIBUTE } from '../../lambdas/core/outputs/drill/messages';
import { runCli } from '../support/cli';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:replguard-alerts';

describe('replguard drill', () => {
  const sns = mockClient(SNSClient);
  const dynamo = mockClient(DynamoDBClient);
  beforeEach(() => {
    sns.reset();
    dynamo.reset();
  });

  it('lists the bundled scenarios', async () => {
    const result = await runCli(['drill', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^duplicate-key\s+Replication stopped by a duplicate key$/m);
    expect(result.stdout.match(/^\S+\s{2,}\S/gm)).toHaveLength(6);
  });

  it('shows the messages, the question, the runbook path and the cause, in that order', async () => {
    // Act
    const result = await runCli(['drill', 'run', 'write-burst', '--answer', '3']);

    // Assess
    expect(result.code).toBe(0);
    const order = ['What on-call receives', 'Subject: [DRILL] [Replication Guard] CRITICAL', '--- SMS ---\n[DRILL] ReplGuard CRIT', 'What do you check first?', 'You chose 3. The first check is 2.', '=== The runbook path', '     docs/runbook.md#replica_lag_high', '=== The cause', 'A backfill started at 09:50'];
    const positions = order.map((text) => result.stdout.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(sns.calls()).toHaveLength(0);
  });

  it('--send publishes each message to the topic, marked as a drill, and never touches the alert store', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'drill-1' });

    // Act
    const result = await runCli(['drill', 'run', 'duplicate-key', '--answer', '2', '--send', '--topic-arn', TOPIC]);

    // Assess
    expect(result.code).toBe(0);
    const inputs = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Subject)).toEqual([expect.stringMatching(/^\[DRILL\] \[Replication Guard\] CRITICAL/), expect.stringMatching(/^\[DRILL\] /)]);
    for (const input of inputs) {
      expect(input.TopicArn).toBe(TOPIC);
      const message = JSON.parse(input.Message!) as Record<string, string>;
      for (const protocol of ['default', 'email', 'sms']) expect(message[protocol]).toMatch(/^\[DRILL\]/);
      expect(input.MessageAttributes?.[DRILL_ATTRIBUTE]).toEqual({ DataType: 'String', StringValue: 'duplicate-key' });
    }
    expect(await sns.call(0).thisValue.config.region()).toBe('eu-west-1');
    expect(dynamo.calls()).toHaveLength(0);
    expect(result.stderr).toContain('(message id drill-1)');
  });
});

describe('replguard drill bad input', () => {
  it('names the bundled scenarios when the name is unknown', async () => {
    const result = await runCli(['drill', 'run', 'dupe-key', '--answer', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown drill scenario "dupe-key". Bundled scenarios: dr-region-lost, duplicate-key,');
    expect(result.stderr).not.toContain('unexpected error');
  });

  it('says which file does not exist', async () => {
    const result = await runCli(['drill', 'run', 'drills/missing.json', '--answer', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Drill file drills/missing.json does not exist.');
  });

  it('needs --answer without a terminal, a topic for --send, and an answer among the choices', async () => {
    const noAnswer = await runCli(['drill', 'run', 'idle-postgres']);
    const noTopic = await runCli(['drill', 'run', 'idle-postgres', '--answer', '1', '--send']);
    const badTopic = await runCli(['drill', 'run', 'idle-postgres', '--answer', '1', '--send', '--topic-arn', 'replguard-alerts']);
    const outOfRange = await runCli(['drill', 'run', 'idle-postgres', '--answer', '7']);
    expect([noAnswer.code, noTopic.code, badTopic.code, outOfRange.code]).toEqual([2, 2, 2, 2]);
    expect(noAnswer.stderr).toContain('--answer N is needed when not on a terminal (1 to 4)');
    expect(noTopic.stderr).toContain('--send needs --topic-arn ARN');
    expect(badTopic.stderr).toContain('--topic-arn: "replguard-alerts" is not an SNS topic ARN');
    expect(outOfRange.stderr).toContain('--answer must be a number from 1 to 4 (got "7")');
  });
});
