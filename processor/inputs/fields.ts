import { withJsonText } from '../enrich/json-text.js';
import type { InputSettings } from './settings.js';

/**
 * Adds what an input puts on every event to a document built by a dataset: `tags` (appended to the
 * dataset's own, in order, without repeats), `labels.*` (config `fields`), `service.name` and
 * `host.name`, as Filebeat's `tags`, `fields_under_root`/`labels` and `add_host_metadata` do.
 * The keys are appended after the dataset's own, so a dataset's fast serialiser can write them last.
 * The values are shared by every document of the input, frozen (replace them, never mutate them).
 * Mutates and returns `body`.
 */
export function applyInputFields(body: Record<string, unknown>, input: InputSettings | undefined): Record<string, unknown> {
  if (!input) return body;
  const shared = sharedFieldsOf(input);
  if (shared.tags) {
    const own = body.tags as string[] | undefined;
    body.tags = own ? [...own, ...shared.tags.filter((t) => !own.includes(t))] : shared.tags;
  }
  if (shared.labels) body.labels = shared.labels;
  if (shared.service) body.service = shared.service;
  if (shared.host) body.host = shared.host;
  return body;
}

/** An input's fields as the objects every one of its documents shares (frozen, carrying their JSON). */
interface SharedInputFields {
  tags?: readonly string[];
  labels?: Readonly<Record<string, string>>;
  service?: { readonly name: string };
  host?: { readonly name: string };
}

// Built once per input: every document of an input gets the same frozen objects, which the weblogs
// serialiser writes from their attached JSON (`objectJson`) instead of serialising a fresh copy each time.
// Frozen, so a shared object cannot change under a document (the windows replace `tags`, never push).
const sharedByInput = new WeakMap<InputSettings, SharedInputFields>();
function sharedFieldsOf(input: InputSettings): SharedInputFields {
  let shared = sharedByInput.get(input);
  if (!shared) {
    const frozen = <T extends object>(o: T): T => Object.freeze(withJsonText(o));
    shared = {};
    if (input.tags && input.tags.length > 0) shared.tags = frozen([...input.tags]);
    if (input.labels && Object.keys(input.labels).length > 0) shared.labels = frozen({ ...input.labels });
    if (input.serviceName) shared.service = frozen({ name: input.serviceName });
    if (input.hostName) shared.host = frozen({ name: input.hostName });
    sharedByInput.set(input, shared);
  }
  return shared;
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
