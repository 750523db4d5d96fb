/**
 * Kafka output shared by the generators (`generate <name> --kafka`) and the replay tool
 * (`npm run replay`): dataset topics and keys, the idempotent producer settings, the
 * {@link KafkaWriter} line writer and its latency histogram.
 *
 * @module generators/kafka
 */
export { DATASET_NAMES, KAFKA_DATASETS, detectDataset, isDatasetName, newsKey, tickKey, weblogKey, type DatasetName, type KafkaDataset } from './datasets.js';
export {
  DEFAULT_BROKERS,
  IDEMPOTENT_PRODUCER_CONFIG,
  SEND_ACKS,
  connectIdempotentProducer,
  warmUpTopic,
  createKafkaClient,
  createKafkaLogger,
  resolveBrokers,
  type KafkaClientOptions,
} from './producer.js';
export { KafkaWriter, KafkaDeliveryTimeoutError, type KafkaAck, type KafkaWriterOptions, type KafkaWriterStats } from './writer.js';
export { LatencyHistogram, type LatencySummary } from './latency.js';
export { addKafkaOptions, runGeneratorCommand, type GeneratorCommandSpec, type KafkaCliOptions } from './cli.js';
