/**
 * Inputs are configuration, not code (Filebeat's inputs, Vector's sources): which files to read, with
 * which dataset and format, and what to add to every event read through them. One `InputSettings` per
 * input; every record read through an input carries its `id` (`SourceRecord.input`), and the transform
 * step looks the settings up here, on the main thread and in every transform worker alike.
 */

/** Where a file is first read from when it has no checkpoint. */
export type StartAt = 'beginning' | 'end';

/** One input, as resolved from the config file and the command line (see processor/config/). */
export interface InputSettings {
  /** Unique id of the input (config `id`, default `input-<n>`); carried by each record. */
  id: string;
  /** Dataset that parses its lines (e.g. `weblogs`, `errorlogs`). */
  dataset: string;
  /** Files, directories or globs (`*`, `?`, `[…]`, `{a,b}`, recursive `**`). A directory means the files under it. */
  paths: string[];
  /** Globs or paths never read. */
  exclude?: string[];
  /**
   * The dataset's format: for `weblogs` one of `combined` (default), `common`, `vhost_combined`,
   * `nginx:<log_format>`, `apache:<LogFormat>`, `json`, `auto` (processor/datasets/weblogs/formats/).
   */
  format?: string;
  /** Added to every event's `tags`. */
  tags?: string[];
  /** User labels, written as ECS `labels.*` (config key `fields`). */
  labels?: Record<string, string>;
  /** ECS `service.name` of every event. */
  serviceName?: string;
  /** ECS `host.name` of every event (default: this machine's host name). */
  hostName?: string;
  /** Where a file without a checkpoint is first read from (default `beginning`). */
  startAt?: StartAt;
  /** Files not modified for this long (ms) are not read (default: no limit). */
  ignoreOlderMs?: number;
  /**
   * CIDRs (or single addresses) of proxies whose `X-Forwarded-For` / `X-Real-IP` is trusted: the real
   * client is the right-most address of the chain that is not one of them (nginx realip's
   * `real_ip_recursive on`). Empty: the chain is recorded but `client.ip` is the peer.
   */
  trustedProxies?: string[];
}

const registry = new Map<string, InputSettings>();

/** Makes `inputs` known to the transform step of this thread (replaces an input of the same id). */
export function registerInputs(inputs: Iterable<InputSettings>): void {
  for (const input of inputs) registry.set(input.id, input);
}

/** Every registered input (for handing them to worker threads). */
export function registeredInputs(): InputSettings[] {
  return [...registry.values()];
}

/** The input registered under `id`, or `undefined` (records from Kafka or from no input). */
export function inputById(id: string | undefined): InputSettings | undefined {
  return id === undefined ? undefined : registry.get(id);
}
