import { randomInt } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { changeTopic, heartbeatTopic } from '../../../src/consumers/change-topics';
import type { ChangeEvent, ConsumedRecord, DecodedRecord, TombstoneEvent } from '../../../src/consumers/decode-change-event';
import { CONTRACT_STATE_COLUMNS } from '../../../src/consumers/fan-out-plan';
import { cdcConfig, cdcDatabase, cdcKafka, collectChanges, createCdcStack, type CollectedChanges } from '../../helpers/cdc-stack';
import { createTestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';

/**
 * The real chain: rows written to the stack's MariaDB (3307) travel through the binlog, Debezium
 * and Kafka to the project's change consumer, and decode to the right table, op and ids. This file
 * owns contract ids 900000-999999 (random per run) on the captured database. The connector emits
 * only `id` and the decisive columns, so a run's own records are told apart by their offsets (after
 * the topic's end when the test began), not by a token in another column.
 */
describe('CDC pipeline: MariaDB binlog → Debezium → Kafka → change consumer', () => {
  const config = cdcConfig();
  const topic = changeTopic(config.kafka.topicPrefix, config.db.ixcDatabase, 'cliente_contrato');
  const stack = createCdcStack();
  const base = 900_000 + randomInt(0, 99_000);
  const ids = { crud: base, restart: base + 1 };
  let db: mysql.Connection;
  let changes: CollectedChanges;
  let templateId: number;

  beforeAll(async () => {
    db = await cdcDatabase();
    await db.query('DELETE FROM cliente_contrato WHERE id IN (?)', [Object.values(ids)]);
    const [rows] = await db.query('SELECT MIN(id) AS id FROM cliente_contrato WHERE id < 900000');
    templateId = Number((rows as Array<{ id: number }>)[0]?.id);
    changes = await collectChanges(cdcKafka(), [topic]);
  });

  afterAll(async () => {
    await changes?.stop();
    // A failed restart test must not leave Connect down for the next file.
    await stack.up();
    await db?.query('DELETE FROM cliente_contrato WHERE id IN (?)', [Object.values(ids)]);
    await db?.end();
  });

  it('delivers the snapshot of every seeded contract as op r', async () => {
    const seeded = await seededContractIds();
    expect(seeded.length).toBeGreaterThan(0);
    const snapshotIds = await waitFor(() => {
      const found = new Set(decoded(changes.records, seeded).filter(isChange).filter((e) => e.op === 'r').map((e) => Number(e.key.id)));
      return seeded.every((id) => found.has(id)) ? found : undefined;
    }, { timeoutMs: 120_000, what: `snapshot records of contracts ${seeded.join(', ')}` });
    expect([...snapshotIds].sort((a, b) => a - b)).toEqual(expect.arrayContaining(seeded));
    const sample = decoded(changes.records).filter(isChange).find((e) => e.op === 'r' && e.key.id === seeded[0]);
    expect(sample).toMatchObject({ table: 'cliente_contrato', before: null, after: { id: seeded[0] }, source: { db: config.db.ixcDatabase, table: 'cliente_contrato' } });
    expect(sample?.source.snapshot).not.toBeNull();
  });

  it('delivers an INSERT, an UPDATE and a DELETE with its tombstone, in order, with only the decisive columns', async () => {
    const id = ids.crud;
    const from = await topicEnd();
    await cloneContract(id);
    await db.query("UPDATE cliente_contrato SET contrato = 'changed, not emitted', status = 'I' WHERE id = ?", [id]);
    await db.query('DELETE FROM cliente_contrato WHERE id = ?', [id]);

    const events = await waitFor(() => {
      const mine = decoded(changes.records, [id]).filter((r) => keyId(r) === id && BigInt(r.position.offset) >= from);
      const create = mine.filter(isChange).find((e) => e.op === 'c');
      const update = mine.filter(isChange).find((e) => e.op === 'u');
      const del = mine.filter(isChange).find((e) => e.op === 'd');
      const tombstone = mine.filter(isTombstone).find((t) => del !== undefined && BigInt(t.position.offset) > BigInt(del.position.offset));
      return create && update && del && tombstone ? { create, update, del, tombstone } : undefined;
    }, { timeoutMs: 60_000, what: `c, u, d and tombstone of contract ${id}` });

    const { create, update, del, tombstone } = events;
    expect(create).toMatchObject({ table: 'cliente_contrato', key: { id }, before: null, after: { id, status: 'A', status_internet: 'A' } });
    expect(create.source.snapshot).toBeNull();
    expect(update).toMatchObject({ table: 'cliente_contrato', key: { id }, before: { id, status: 'A' }, after: { id, status: 'I' } });
    expect(del).toMatchObject({ table: 'cliente_contrato', key: { id }, before: { id, status: 'I' }, after: null });
    expect(tombstone).toMatchObject({ kind: 'tombstone', table: 'cliente_contrato', key: { id } });
    // column.include.list, through the real connector: the row's other columns never reach Kafka.
    for (const row of [create.after, update.before, update.after, del.before]) expect(Object.keys(row ?? {}).sort()).toEqual(['id', ...CONTRACT_STATE_COLUMNS].sort());
    const offsets = [create, update, del, tombstone].map((e) => BigInt(e.position.offset));
    expect([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(offsets);
  });

  it('loses nothing across a Connect restart and resumes where it was (no new snapshot)', async () => {
    const id = ids.restart;
    const lastOffsetBefore = (await topicEnd()) - 1n;

    expect(await stack.stop('connect')).toMatch(/terminated|killed/);
    const down = await stack.status();
    expect(down.services.find((s) => s.service === 'connect')?.pid).toBeNull();

    await cloneContract(id);
    await db.query("UPDATE cliente_contrato SET status = 'I' WHERE id = ?", [id]);

    const restarted = await stack.up();
    expect(restarted.started).toEqual(['connect']);
    expect(restarted.connectorCreated).toBe(false);

    await waitFor(() => {
      const mine = decoded(changes.records, [id]).filter(isChange).filter((e) => e.key.id === id && BigInt(e.position.offset) > lastOffsetBefore);
      return mine.some((e) => e.op === 'c' && e.after?.status === 'A') && mine.some((e) => e.op === 'u' && e.after?.status === 'I');
    }, { timeoutMs: 120_000, what: `changes to contract ${id} made while Connect was down` });

    const afterRestart = decoded(changes.records).filter((r) => BigInt(r.position.offset) > lastOffsetBefore);
    expect(afterRestart.filter(isChange).filter((e) => e.op === 'r')).toEqual([]);
    const status = await stack.status();
    expect(status.healthy).toBe(true);
  });

  it('delivers Debezium heartbeats, decoded as heartbeats with their time', async () => {
    const heartbeat = heartbeatTopic(config.kafka.heartbeatTopicPrefix, config.kafka.topicPrefix);
    const kafka = cdcKafka();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.listTopics()).includes(heartbeat), { timeoutMs: 60_000, what: `topic ${heartbeat}` });
    } finally {
      await admin.disconnect();
    }
    const beats = await collectChanges(kafka, [heartbeat]);
    try {
      const first = await waitFor(() => decoded(beats.records).find((r) => r.kind === 'heartbeat'), { timeoutMs: 60_000, what: 'a heartbeat' });
      expect(first).toMatchObject({ kind: 'heartbeat', position: { topic: heartbeat } });
      expect(first.kind === 'heartbeat' && first.tsMs).toBeGreaterThan(0);
    } finally {
      await beats.stop();
    }
  });

  /** A copy of the seed's first contract under `id`, active. */
  async function cloneContract(id: number): Promise<void> {
    const tmp = `clone_${id}`;
    await db.query(
      `CREATE TEMPORARY TABLE ${tmp} AS SELECT * FROM cliente_contrato WHERE id = ?; UPDATE ${tmp} SET id = ?, status = 'A', status_internet = 'A';` +
        ` INSERT INTO cliente_contrato SELECT * FROM ${tmp}; DROP TEMPORARY TABLE ${tmp};`,
      [templateId, id],
    );
  }

  /** The contract topic's end offset now: records from here on are this test's. */
  async function topicEnd(): Promise<bigint> {
    const admin = cdcKafka().admin();
    await admin.connect();
    try {
      const [partition] = await admin.fetchTopicOffsets(topic);
      return BigInt(partition?.high ?? '0');
    } finally {
      await admin.disconnect();
    }
  }
});

/**
 * The records that decoded. Undecodable ones are not ignored silently: any with a key among
 * `watched` fails the test. (Other tests deliberately produce garbage into the shared topics,
 * in their own id ranges, to exercise the dead-letter path.)
 */
function decoded(records: readonly ConsumedRecord[], watched: readonly number[] = []): DecodedRecord[] {
  const mine = records.filter((r) => !r.ok && watched.includes(rawKeyId(r.raw.key)));
  if (mine.length > 0) throw new Error(`undecodable records: ${mine.map((e) => (e.ok ? '' : e.error.message)).join('; ')}`);
  return records.flatMap((r) => (r.ok ? [r.record] : []));
}

function rawKeyId(key: Buffer | string | null): number {
  try {
    return Number((JSON.parse(String(key)) as { id?: unknown }).id);
  } catch {
    return NaN;
  }
}

function isChange(record: DecodedRecord): record is ChangeEvent {
  return record.kind === 'change';
}

function isTombstone(record: DecodedRecord): record is TombstoneEvent {
  return record.kind === 'tombstone';
}

function keyId(record: DecodedRecord): unknown {
  return record.kind === 'change' || record.kind === 'tombstone' ? record.key.id : undefined;
}

/** The contract ids of the IXC seed fixture, read from a throwaway copy on the system server. */
async function seededContractIds(): Promise<number[]> {
  const copy = await createTestDatabase();
  try {
    const [rows] = await copy.admin.query(`SELECT id FROM \`${copy.db.ixcDatabase}\`.cliente_contrato ORDER BY id`);
    return (rows as Array<{ id: number }>).map((r) => Number(r.id));
  } finally {
    await copy.drop();
  }
}
