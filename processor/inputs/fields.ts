import type { InputSettings } from './settings.js';

/**
 * Adds what an input puts on every event to a document built by a dataset: `tags` (appended to the
 * dataset's own, in order, without repeats), `labels.*` (config `fields`), `service.name` and
 * `host.name`, as Filebeat's `tags`, `fields_under_root`/`labels` and `add_host_metadata` do.
 * The keys are appended after the dataset's own, so a dataset's fast serialiser can write them last.
 * Mutates and returns `body`.
 */
export function applyInputFields(body: Record<string, unknown>, input: InputSettings | undefined): Record<string, unknown> {
  if (!input) return body;
  if (input.tags && input.tags.length > 0) {
    const own = body.tags as string[] | undefined;
    body.tags = own ? [...own, ...input.tags.filter((t) => !own.includes(t))] : [...input.tags];
  }
  if (input.labels && Object.keys(input.labels).length > 0) body.labels = input.labels;
  if (input.serviceName) body.service = { name: input.serviceName };
  if (input.hostName) body.host = { name: input.hostName };
  return body;
}

/** Mappings of the fields `applyInputFields` adds, for every dataset's template (ECS `labels`, `service`, `host`). */
export function inputFieldMappings(): Record<string, unknown> {
  return {
    // ECS: labels are keyword key/value pairs. User-chosen keys, so the object is dynamic below a strict
    // root; every value is mapped as keyword by the template's dynamic template.
    labels: { type: 'object', dynamic: true },
    service: { properties: { name: { type: 'keyword', ignore_above: 1024 } } },
    host: { properties: { name: { type: 'keyword', ignore_above: 1024 } } },
  };
}
