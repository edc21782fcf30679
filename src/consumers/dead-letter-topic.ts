import type { Admin } from 'kafkajs';
import { DeadLetterTopicMissingError } from './errors';

/** Replicas asked of a new dead-letter topic: three where the cluster has them. */
const PREFERRED_REPLICATION = 3;

/**
 * The `kafka-topics.sh` command that creates the dead-letter topic: one partition (dead letters
 * are few and read in order), as many replicas as the cluster allows up to three, kept until an
 * operator has dealt with them (`retention.ms=-1`: nothing is lost to expiry).
 */
export function deadLetterTopicCommand(topic: string, bootstrap: readonly string[], brokerCount: number, secured = false): string {
  const replicas = Math.max(1, Math.min(PREFERRED_REPLICATION, brokerCount));
  // A TLS/SASL listener needs the client settings in a properties file (security.protocol, sasl.*, ssl.*).
  const client = secured ? ' --command-config client.properties' : '';
  return `kafka-topics.sh --bootstrap-server ${bootstrap.join(',')}${client} --create --topic ${topic} --partitions 1 --replication-factor ${replicas} --config retention.ms=-1`;
}

/**
 * Checks at start that the dead-letter topic exists; throws DeadLetterTopicMissingError with the
 * command that creates it otherwise.
 */
export async function assertDeadLetterTopic(admin: Admin, topic: string, bootstrap: readonly string[], secured = false): Promise<void> {
  const topics = await admin.listTopics();
  if (topics.includes(topic)) return;
  const { brokers } = await admin.describeCluster();
  throw new DeadLetterTopicMissingError(topic, deadLetterTopicCommand(topic, bootstrap, brokers.length, secured));
}
