import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { readDeadLetters } from './read-dead-letters';

export interface LeakSourceInput {
  /** Name → everything a worker process wrote (stdout and stderr). */
  workerOutputs: Record<string, string>;
  db: Pick<mysql.Connection, 'query'>;
  syncSchema: string;
  kafka: Kafka;
  dlqTopic: string;
  /** A running worker's ops URL: its status page and status JSON are fetched. */
  opsUrl?: string;
}

/** The texts case 7 searches: worker logs, every api_audit row, every dead letter, the status page and its JSON. */
export async function collectLeakSources(input: LeakSourceInput): Promise<Record<string, string>> {
  const sources: Record<string, string> = {};
  for (const [name, text] of Object.entries(input.workerOutputs)) sources[`log:${name}`] = text;
  const [audit] = await input.db.query(`SELECT * FROM \`${input.syncSchema}\`.api_audit`);
  sources.api_audit = (audit as unknown[]).map((row) => JSON.stringify(row)).join('\n');
  const letters = await readDeadLetters(input.kafka, input.dlqTopic);
  sources.dead_letters = letters.map((l) => l.raw).join('\n');
  if (input.opsUrl) {
    for (const route of ['/', '/status.json']) {
      const response = await fetch(`${input.opsUrl}${route}`);
      sources[`status${route}`] = `${response.status}\n${await response.text()}`;
    }
  }
  return sources;
}
