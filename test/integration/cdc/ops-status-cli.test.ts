import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { changeTopic } from '../../../src/consumers/change-topics';
import { runMigrations } from '../../../src/migrations/run-migrations';
import type { StatusDocument } from '../../../src/ops/ops-monitor';
import type mysql from 'mysql2/promise';
import { cdcConfig, cdcDatabase } from '../../helpers/cdc-stack';
import { randomName, testKafka } from '../ops/helpers/kafka-fixtures';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const config = cdcConfig();

/** `status` with no worker running: it measures the pipeline itself (one shot) and says so. */
describe('status (whole pipeline) on the real stack', () => {
  let conn: mysql.Connection;
  let admin: Admin;
  const syncSchema = `ixc_iot_sync_status_${randomBytes(3).toString('hex')}`;
  const groupId = randomName('ops-status-cli');
  const topic = changeTopic(config.kafka.topicPrefix, config.db.ixcDatabase, 'cliente_contrato');

  beforeAll(async () => {
    conn = await cdcDatabase();
    await runMigrations({ ...config.db, host: '127.0.0.1', port: config.stack.dbPort, user: 'root', password: '', syncSchema });
    await conn.query(`INSERT INTO \`${syncSchema}\`.contract_sync (contract_id, generation, dirty, priority, marked_at) VALUES (1, 1, 1, 100, NOW(3)), (2, 1, 1, 100, NOW(3))`);
    admin = testKafka().admin();
    await admin.connect();
    // A group that stopped at offset 0 of cliente_contrato: everything there is unconsumed.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
  });

  afterAll(async () => {
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.disconnect();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
  });

  it('reports connector, heartbeat, lag of the group, backlog and no running worker', async () => {
    const env = {
      ...process.env,
      SYNC_DB_SCHEMA: syncSchema,
      KAFKA_GROUP_ID: groupId,
      LOG_LEVEL: 'error',
    };
    const cli = ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'status'];
    const json = JSON.parse((await run('node', [...cli, '--json'], { cwd: ROOT, env })).stdout) as StatusDocument & { heartbeatWrittenAt: number | null; liveWorkers: string[] };
    expect(json.connector.state).toBe('RUNNING');
    expect(Date.now() - (json.heartbeatWrittenAt ?? 0)).toBeLessThan(60_000);
    const p = json.lag.partitions.find((x) => x.topic === topic);
    const [watermarks] = await admin.fetchTopicOffsets(topic);
    expect(p).toMatchObject({ committedOffset: '0' });
    expect(p!.lag).toBe(Number(p!.highWatermark) - Number(p!.nextOffset));
    expect(Number(p!.highWatermark)).toBeLessThanOrEqual(Number(watermarks!.high));
    expect(p!.lagSeconds).toBeGreaterThan(0);
    expect(json.workSet).toMatchObject({ ok: true, backlog: 2 });
    expect(json.liveWorkers).toEqual([]);

    const text = (await run('node', cli, { cwd: ROOT, env })).stdout;
    expect(text).toMatch(/^Connector\s+\S+ RUNNING \(task 0 RUNNING\); last heartbeat written/m);
    expect(text).toMatch(new RegExp(`^Consumer\\s+group ${groupId}: \\d+ records behind`, 'm'));
    expect(text).toMatch(/^Work set\s+backlog 2 /m);
    expect(text).toMatch(/^Workers\s+none running$/m);
  });
});
