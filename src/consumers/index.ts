export * from './decode-change-event';
export * from './errors';
export * from './fan-out-plan';
export { DLQ_HEADERS, toDeadLetter, type DeadLetterCause, type DeadLetterMessage } from './dead-letter';
export { assertDeadLetterTopic, deadLetterTopicCommand } from './dead-letter-topic';
export { markBatch, markWrites, resolveFanOut, type MarkBatchDeps, type MarkBatchResult, type MarkContracts, type MarkWrite, type Query } from './mark-batch';
export { CAPTURED_TABLES, changeTopic, changeTopics, heartbeatTopic, type CapturedTable } from './change-topics';
export {
  createChangeConsumer,
  toRawRecord,
  type ChangeChunk,
  type ChangeChunkHandler,
  type ChangeConsumer,
  type ChangeConsumerDeps,
  type ChangeConsumerOptions,
} from './create-change-consumer';
