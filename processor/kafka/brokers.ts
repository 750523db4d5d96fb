/**
 * The default Kafka brokers, in a module of its own so that the processor CLI can show them in
 * `--help` without loading kafkajs (the client is imported only when Kafka is consumed).
 */

/** Default brokers: the local stack (`npm run stack -- up`) or `KAFKA_BROKERS` (comma-separated host:port). */
export function defaultBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
}
