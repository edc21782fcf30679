import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { createChangeConsumer } from '../../../src/consumers/create-change-consumer';
import { changeTopics } from '../../../src/consumers/change-topics';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { markContracts } from '../../../src/handlers/work-set/work-set-mark';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { replayTopics } from '../../../src/ops/replay';
import { cdcConfig, cdcDatabase } from '../../helpers/cdc-stack';
import { waitFor } from '../../helpers/wait-for';
import { createTestTopic, produceTimed, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

const config = cdcConfig();
/** Test files own id ranges from 900000 up; below that are the fixture's own contracts. */
const FIXTURE_IDS_BELOW = 900_000;

/**
 * Replay through a separate group on the real change topics: every fixture contract is marked for
 * a verify reconcile at replay priority, the live group's offsets do not move, and the replay
 * group is gone afterwards. `--from <time>` starts at the offsets of that time.
 */
describe('replay on the real stack', () => {
  const syncSchema = `ixc_iot_sync_replay_${randomBytes(3).toString('hex')}`;
  const liveGroupId = randomName('ops-replay-live');
  let conn: mysql.Connection;
  let dataSource: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  const topics = changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase);

  beforeAll(async () => {
    conn = await cdcDatabase();
    const db = { ...config.db, host: '127.0.0.1', port: config.stack.dbPort, user: 'root', password: '', syncSchema };
    await runMigrations(db);
    dataSource = createAppDataSource(db).dataSource;
    await dataSource.initialize();
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    // The "live" group: caught up on every change topic, as a running worker would be.
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: liveGroupId, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    }
  });

  afterAll(async () => {
    await admin?.deleteGroups([liveGroupId]).catch(() => undefined);
    await admin?.disconnect();
    await dataSource?.destroy();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
  });

  it('marks every contract in verify mode at replay priority, leaving the live group where it was', async () => {
    const [fixture] = (await conn.query('SELECT id FROM cliente_contrato WHERE id < ? ORDER BY id', [FIXTURE_IDS_BELOW])) as unknown as [Array<{ id: number }>];
    expect(fixture.length).toBeGreaterThan(0);
    const liveBefore = await admin.fetchOffsets({ groupId: liveGroupId, topics });
    const progress: number[] = [];
    const marked: number[] = [];

    const result = await replayTopics(
      {
        kafka,
        admin,
        query: (sql, params) => dataSource.query(sql, params),
        mark: async (marks, options) => {
          marked.push(...marks.map((m) => m.contractId));
          await markContracts(dataSource, syncSchema, marks, options);
        },
        onProgress: (p) => progress.push(p.read),
      },
      { topics, from: 'earliest', liveGroupId, heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
    );

    expect(result.complete).toBe(true);
    expect(result.groupId.startsWith(`${liveGroupId}.replay.`)).toBe(true);
    expect(result.read).toBe(result.ranges.reduce((n, r) => n + r.records, 0));
    expect(result.read).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(result.read);
    expect(result.contracts).toEqual(expect.arrayContaining(fixture.map((r) => r.id)));
    // One verify reconcile per contract, however many of its records the topics hold.
    expect([...marked].sort((a, b) => a - b)).toEqual(result.contracts);

    const [rows] = (await conn.query(
      `SELECT contract_id, dirty, verify_requested, priority FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?)`,
      [fixture.map((r) => r.id)],
    )) as unknown as [Array<{ contract_id: number; dirty: number; verify_requested: number; priority: number }>];
    expect(rows).toHaveLength(fixture.length);
    for (const row of rows) expect(row).toMatchObject({ dirty: 1, verify_requested: 1, priority: 5 });

    expect(await admin.fetchOffsets({ groupId: liveGroupId, topics })).toEqual(liveBefore);
    const { groups } = await admin.listGroups();
    expect(groups.map((g) => g.groupId).filter((g) => g.startsWith(`${liveGroupId}.replay.`))).toEqual([]);
  });

  it('starts each partition at the first offset of --from, and counts what it cannot decode', async () => {
    const topic = await createTestTopic(admin, 2);
    try {
      const base = Date.now() - 60_000;
      await produceTimed(kafka, topic, 2, 10, base, 1000);
      const result = await replayTopics(
        { kafka, admin, query: () => Promise.resolve([]), mark: () => Promise.resolve() },
        { topics: [topic], from: new Date(base + 5_500), liveGroupId, heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
      );
      // Partitions come back in whatever order the broker lists them: compare them sorted.
      expect(result.ranges.map((r) => [r.partition, r.from, r.to, r.records]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
        [0, '6', '10', 4],
        [1, '6', '10', 4],
      ]);
      // Plain strings are no Debezium envelopes: counted, marked nothing, dead-lettered nowhere.
      expect(result).toMatchObject({ read: 8, undecodable: 8, contracts: [], complete: true });
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  });

  it('leaves a running consumer of the live group undisturbed: same member, no rebalance, its offsets never rewound', async () => {
    const live = createChangeConsumer(
      { kafka, handler: async () => undefined },
      { groupId: liveGroupId, topics, chunkSize: 50, fromBeginning: false },
    );
    await live.start();
    try {
      const member = await waitFor(
        async () => {
          const [group] = (await admin.describeGroups([liveGroupId])).groups;
          return group?.state === 'Stable' && group.members.length === 1 ? group.members[0]!.memberId : null;
        },
        { timeoutMs: 60_000, what: 'the live consumer to join its group' },
      );
      const liveBefore = await admin.fetchOffsets({ groupId: liveGroupId, topics });

      const result = await replayTopics(
        { kafka, admin, query: (sql, params) => dataSource.query(sql, params), mark: async () => undefined },
        { topics, from: 'earliest', liveGroupId, heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
      );
      expect(result.complete).toBe(true);
      expect(result.read).toBeGreaterThan(0);

      const [group] = (await admin.describeGroups([liveGroupId])).groups;
      expect({ state: group?.state, members: group?.members.map((m) => m.memberId) }).toEqual({ state: 'Stable', members: [member] });
      // The replay read from the earliest offsets through its own group: the live group's were never rewound.
      const liveAfter = await admin.fetchOffsets({ groupId: liveGroupId, topics });
      const rewound = liveAfter.flatMap((t) =>
        t.partitions.filter((p) => BigInt(p.offset) < BigInt(liveBefore.find((b) => b.topic === t.topic)?.partitions.find((b) => b.partition === p.partition)?.offset ?? '-1')),
      );
      expect(rewound).toEqual([]);
    } finally {
      await live.stop();
    }
  });
});
