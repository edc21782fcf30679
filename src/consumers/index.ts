export * from './change-event';
export * from './errors';
export { decodeChangeEvent, type DecodeOptions } from './decode-change-event';
export { refField, textField } from './row-fields';
export * from './fan-out-plan';
export { MARK_PRIORITY } from './mark-priority';
export { resolveFanOut, type ContractMark } from './resolve-fan-out';
export { DLQ_HEADERS, toDeadLetter, type DeadLetterCause, type DeadLetterMessage } from './dead-letter';
export { assertDeadLetterTopic, deadLetterTopicCommand } from './dead-letter-topic';
export { decodeRecords, markBatch, type MarkBatchDeps, type MarkBatchResult } from './mark-batch';
export { CAPTURED_TABLES, changeTopic, changeTopics, heartbeatTopic, type CapturedTable } from './change-topics';
export {
  createChangeConsumer,
  type ChangeChunk,
  type ChangeChunkHandler,
  type ChangeConsumer,
  type ChangeConsumerDeps,
  type ChangeConsumerOptions,
  type ConsumedRecord,
} from './create-change-consumer';
