import { randomBytes } from 'node:crypto';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { loadConfig } from '../../../src/config/load-config';
import type { AppConfig } from '../../../src/config/app-config';
import { DLQ_HEADERS } from '../../../src/consumers/dead-letter';
import { DeadLetterTopicMissingError } from '../../../src/consumers/errors';
import { changeTopic } from '../../../src/consumers/change-topics';
import { startWorker, type Worker } from '../../../src/cli/worker/create-worker';
import { createLogger } from '../../../src/lib/logger';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { liveTopics } from '../../../src/ops/create-ops';
import { readTopicRange, type ReadRecord } from '../../../src/ops/read-topic-range';
import { cdcConfig, cdcKafka, randomGroupId } from '../../helpers/cdc-stack';
import { createTestDatabase, testDatabaseEnv, type TestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';

jest.setTimeout(180_000);

/**
 * The worker on the real broker with records that decode but do not fit the work set (a contract
 * id above `int unsigned`, a `source.ts_ms` out of range): they go to the dead-letter topic with
 * the reason, under Kafka Connect's header names, and the partition moves on. Without its
 * dead-letter topic (auto-creation is off) the worker refuses to start and says how to create it.
 */
describe('worker: unfit records and the dead-letter topic (real Kafka)', () => {
  const stack = cdcConfig();
  const prefix = `dlqtest${randomBytes(3).toString('hex')}`;
  const logger = createLogger({ level: 'error', format: 'json', silent: true });
  let t: TestDatabase;
  let kafka: Kafka;
  let admin: Admin;
  let worker: Worker | undefined;

  const workerConfig = (dlqTopic: string, groupId: string): Readonly<AppConfig> =>
    loadConfig(
      testDatabaseEnv(t.db, {
        KAFKA_BROKERS: stack.kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_GROUP_ID: groupId,
        KAFKA_DLQ_TOPIC: dlqTopic,
        CONNECT_URL: stack.connect.url,
        // Nothing here reaches the platform: the contracts do not exist in IXC.
        IOT_BASE_URL: 'http://127.0.0.1:9',
        IOT_TENANT_ID: 'dlqtest',
        LOG_LEVEL: 'error',
      }),
    );

  beforeAll(async () => {
    t = await createTestDatabase({ seed: false });
    await runMigrations(t.db);
    // The worker marks only contracts with IoT lines (issue 18): 900001 and 900003 hold a camera.
    await t.admin.query(`INSERT INTO \`${t.db.ixcDatabase}\`.produtos (id, descricao, ativo, tipo, id_sub_grupo, id_integracao_iot, id_produto_iot) VALUES (1, 'Câmera IoT', 'S', 'S', 0, 1, 'OLLI-CAMERA')`);
    await t.admin.query(
      `INSERT INTO \`${t.db.ixcDatabase}\`.vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES (1, 900001, 0, 1, 1, 'SVA', 'camera'), (2, 900003, 0, 1, 1, 'SVA', 'camera')`,
    );
    kafka = cdcKafka(logLevel.NOTHING);
    admin = kafka.admin();
    await admin.connect();
    const topics = liveTopics(workerConfig('unused', 'unused'));
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })), waitForLeaders: true });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  afterAll(async () => {
    const topics = (await admin.listTopics()).filter((topic) => topic.includes(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await t.drop();
  });

  it('refuses to start without its dead-letter topic and gives the command that creates it', async () => {
    const dlqTopic = `${prefix}.dlq-missing`;
    const attempt = startWorker(workerConfig(dlqTopic, randomGroupId('dlq-missing')), logger, { migrate: false, opsPort: 0 });
    await expect(attempt).rejects.toBeInstanceOf(DeadLetterTopicMissingError);
    await expect(attempt).rejects.toThrow(
      `kafka-topics.sh --bootstrap-server ${stack.kafka.brokers.join(',')} --create --topic ${dlqTopic} --partitions 1 --replication-factor 1 --config retention.ms=-1`,
    );
  });

  it('dead-letters records that do not fit the work set, marks the others and commits past them all', async () => {
    const dlqTopic = `${prefix}.dlq`;
    await admin.createTopics({ topics: [{ topic: dlqTopic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const config = workerConfig(dlqTopic, randomGroupId('dlq-unfit'));
    const topic = changeTopic(prefix, t.db.ixcDatabase, 'cliente_contrato');
    const now = Date.now();
    const change = (id: number, tsMs: number) =>
      JSON.stringify({ before: null, after: { id, id_cliente: 1, id_vd_contrato: 0, status: 'A', status_internet: 'A' }, source: { db: t.db.ixcDatabase, table: 'cliente_contrato', ts_ms: tsMs }, op: 'c' });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: '{"id":900001}', value: change(900_001, now) },
        { key: '{"id":5000000000}', value: change(5_000_000_000, now) },
        { key: '{"id":900002}', value: change(900_002, 1e30) },
        { key: '{"id":900003}', value: change(900_003, now) },
      ],
    });
    await producer.disconnect();

    worker = await startWorker(config, logger, { migrate: false, opsPort: 0 });
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [topic] });
        return committed?.partitions[0]?.offset === '4';
      },
      { timeoutMs: 90_000, what: 'the group to commit past every record' },
    );
    const [rows] = await t.admin.query(`SELECT contract_id FROM \`${t.db.syncSchema}\`.contract_sync ORDER BY contract_id`);
    expect((rows as Array<{ contract_id: number }>).map((r) => r.contract_id)).toEqual([900_001, 900_003]);

    const letters: ReadRecord[] = [];
    const [range] = await admin.fetchTopicOffsets(dlqTopic);
    await readTopicRange({ kafka, admin }, { groupId: randomGroupId('dlq-read'), ranges: [{ topic: dlqTopic, partition: 0, from: range!.low, to: range!.high }], onRecords: (r) => void letters.push(...r) });
    expect(letters.map((l) => l.headers[DLQ_HEADERS.originalOffset])).toEqual(['1', '2']);
    for (const letter of letters) {
      expect(letter.headers).toMatchObject({ '__connect.errors.topic': topic, '__connect.errors.partition': '0', '__connect.errors.exception.class.name': 'EnvelopeDecodeError' });
    }
    expect(letters[0]!.headers['__connect.errors.exception.message']).toBe('id 5000000000 is out of range for an int unsigned id (max 4294967295)');
    expect(letters[1]!.headers['__connect.errors.exception.message']).toBe('source.ts_ms 1e+30 is out of range (0-253402300799999)');
    // The original bytes are kept for a redrive.
    expect(letters[0]!.value?.toString()).toBe(change(5_000_000_000, now));
  });
});
