import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DLQ_HEADERS } from '../../../src/consumers/dead-letter';
import { changeTopic } from '../../../src/consumers/change-topics';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { markContracts } from '../../../src/handlers/work-set/work-set-mark';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { listDeadLetters, redriveDeadLetters } from '../../../src/ops/dead-letters';
import { readTopicRange, type ReadRecord } from '../../../src/ops/read-topic-range';
import { cdcConfig } from '../../helpers/cdc-stack';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';
import { createTestTopic, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const config = cdcConfig();
const RAW_CPF = '123.456.789-09';

/**
 * Dead letters: one record a past decoder could not read but today's can (a real Debezium record
 * of cliente_contrato), and one that is still garbage. Redrive marks the first one's contract and
 * leaves the second on the dead-letter topic; nothing is produced anywhere.
 */
describe('dlq list and redrive on the real broker', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let dlqTopic: string;
  let real: ReadRecord;
  let contractId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.db);
    dataSource = createAppDataSource(db.db).dataSource;
    await dataSource.initialize();
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    dlqTopic = await createTestTopic(admin, 1);

    // A real change record of cliente_contrato, as Debezium wrote it.
    const source = changeTopic(config.kafka.topicPrefix, config.db.ixcDatabase, 'cliente_contrato');
    const [p0] = await admin.fetchTopicOffsets(source);
    await readTopicRange(
      { kafka, admin },
      {
        groupId: randomName('ops-dlq-sample'),
        // One record is enough: reading the whole partition grows with every run on a long-lived stack.
        firstOnly: true,
        ranges: [{ topic: source, partition: 0, from: p0!.low, to: p0!.high }],
        onRecords: (records) => {
          real ??= records.find((r) => r.value !== null)!;
        },
      },
    );
    contractId = Number((JSON.parse(String(real.key)) as { id: number }).id);

    const headers = (offset: string, error: string) => ({
      [DLQ_HEADERS.originalTopic]: source,
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.originalOffset]: offset,
      [DLQ_HEADERS.errorClass]: 'EnvelopeDecodeError',
      [DLQ_HEADERS.errorMessage]: error,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: dlqTopic,
      acks: -1,
      messages: [
        { key: real.key, value: real.value, headers: headers(real.offset, 'unknown field (an older decoder)') },
        { key: '{"id":1}', value: `not a Debezium envelope, customer ${RAW_CPF}`, headers: headers('999999', 'not JSON') },
      ],
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics: [dlqTopic] }).catch(() => undefined);
    await admin?.disconnect();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('lists the dead letters with their origin', async () => {
    const { total, letters } = await listDeadLetters({ kafka, admin }, { topic: dlqTopic, limit: 10, groupPrefix: randomName('ops-dlq') });
    expect(total).toBe(2);
    expect(letters.map((l) => l.original?.offset).sort()).toEqual([real.offset, '999999'].sort());
    expect(letters.every((l) => l.errorClass === 'EnvelopeDecodeError')).toBe(true);
  });

  it('redrive marks what decodes now, leaves the rest, and produces nothing', async () => {
    const before = await admin.fetchTopicOffsets(dlqTopic);
    const result = await redriveDeadLetters(
      {
        kafka,
        admin,
        query: (sql, params) => dataSource.query(sql, params),
        mark: (marks, options) => markContracts(dataSource, db.db.syncSchema, marks, options),
      },
      { topic: dlqTopic, groupPrefix: randomName('ops-dlq'), heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
    );
    expect(result).toMatchObject({ read: 2, redriven: 1, contractsMarked: 1, complete: true });
    expect(result.stillUndecodable).toHaveLength(1);
    expect(result.stillUndecodable[0]).toMatchObject({ original: { offset: '999999' } });
    expect(JSON.stringify(result)).not.toContain(RAW_CPF);

    const [rows] = (await db.admin.query(`SELECT dirty FROM \`${db.db.syncSchema}\`.contract_sync WHERE contract_id = ?`, [contractId])) as unknown as [Array<{ dirty: number }>];
    expect(rows).toEqual([{ dirty: 1 }]);
    // Nothing republished: the dead-letter topic holds the same two records.
    expect(await admin.fetchTopicOffsets(dlqTopic)).toEqual(before);
  });

  it('`dlq list --json` shows the same through the CLI, masked', async () => {
    const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'dlq', 'list', '--json'], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_DLQ_TOPIC: dlqTopic, LOG_LEVEL: 'error' },
    });
    const out = JSON.parse(stdout) as { total: number; letters: Array<{ key: string | null }> };
    expect(out.total).toBe(2);
    expect(stdout).not.toContain(RAW_CPF);
  });
});
