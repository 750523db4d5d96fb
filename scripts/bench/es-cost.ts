/**
 * `npm run bench -- es-cost`: what one web-log document costs Elasticsearch — primary store bytes after a
 * force-merge to one segment, and CPU µs while it was indexed — under the project's template and under
 * candidate changes to it (codec, index mode, sorting, which fields are indexed, the raw line), measured on
 * the same documents in one run.
 */
import { request } from 'undici';
import type { EnrichContext } from '../../processor/datasets/types.js';
import { WEBLOGS_STORAGE_SETTINGS, weblogsTemplate } from '../../processor/datasets/weblogs/template.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { bulkLines } from '../../processor/sinks/elasticsearch-sink.js';
import { rawBytesPerLine, storeAfterForceMerge, timeBulkBodies, visibilityLatencies } from './common.js';
import { fmt, percentile, usPerDoc } from './stats.js';

/** A template body as this module edits it (the parts it touches). */
export interface TemplateBody {
  index_patterns: string[];
  priority?: number;
  template: { settings: Record<string, unknown>; mappings: { properties: Record<string, unknown>; [k: string]: unknown } };
  [k: string]: unknown;
}

/** One candidate: a change to the weblogs template (and, for the document-shape levers, to the documents). */
export interface EsCostCandidate {
  /** Lower-case letters and digits only (it becomes part of a data stream namespace; `+` joins candidates, see `candidateByName`). */
  name: string;
  what: string;
  /** Edits a deep copy of the current template body in place (the bench then applies it to plain indices, not a data stream). */
  template?: (t: TemplateBody) => void;
  /** Edits each document body (a parsed copy; `raw` is its line) before it is serialised: the document-shape levers. */
  doc?: (body: Record<string, unknown>, raw: string) => void;
}

/** The mapping object of the field at dotted `path` inside `properties`. @throws when a step is missing. */
export function fieldMapping(properties: Record<string, unknown>, path: string): Record<string, unknown> {
  const parts = path.split('.');
  let props = properties;
  for (const [i, p] of parts.entries()) {
    const m = props[p] as Record<string, unknown> | undefined;
    if (!m) throw new Error(`no mapping for ${parts.slice(0, i + 1).join('.')}`);
    if (i === parts.length - 1) return m;
    props = m.properties as Record<string, unknown>;
  }
  throw new Error('empty path');
}

/** Replaces the field at dotted `path` with a copy carrying `patch` (a `fields` key set to undefined removes the multi-fields). */
function patchField(t: TemplateBody, path: string, patch: Record<string, unknown>): void {
  const parent = path.includes('.') ? fieldMapping(t.template.mappings.properties, path.slice(0, path.lastIndexOf('.'))) : undefined;
  const props = (parent ? parent.properties : t.template.mappings.properties) as Record<string, unknown>;
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  const next: Record<string, unknown> = { ...(props[leaf] as Record<string, unknown>), ...patch };
  for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
  props[leaf] = next;
}

/**
 * Fields of the access documents that nothing searches by value (the dashboard's queries, the Kibana
 * objects and the windows filter or aggregate on status, bytes, method, path, referrer, source geo, IP,
 * user-agent name/OS, crawler, @timestamp): candidates for doc values only (`index: false`). Elasticsearch
 * 8.x still answers term and range queries on such a field from its doc values, only slower.
 */
export const DOC_VALUES_ONLY = [
  'event.ingested', 'event.duration', 'event.timezone', 'log.offset', 'log.file.path', 'ecs.version',
  'event.kind', 'event.module', 'event.dataset', 'event.category', 'event.type', 'event.outcome',
  'data_stream.type', 'data_stream.dataset', 'data_stream.namespace',
  'http.version', 'source.address', 'source.port', 'source.geo.region_name', 'source.geo.city_name',
  'user_agent.version', 'user_agent.os.version', 'user_agent.os.full', 'user_agent.device.name',
  'url.extension', 'url.query', 'url.scheme', 'url.domain', 'url.port', 'url.fragment',
];

/** The candidates measured by default, each against `baseline` (the template as it is). */
export function defaultCandidates(): EsCostCandidate[] {
  return [
    { name: 'baseline', what: 'the current template' },
    {
      name: 'standard',
      what: 'the template without its storage settings (WEBLOGS_STORAGE_SETTINGS): standard index mode, stored _source, LZ4',
      template: (t) => Object.keys(WEBLOGS_STORAGE_SETTINGS).forEach((k) => delete t.template.settings[k]),
    },
    { name: 'bestcomp', what: 'index.codec: best_compression (zstd for stored fields instead of LZ4; logsdb has it already: use standard+bestcomp)', template: (t) => void (t.template.settings['index.codec'] = 'best_compression') },
    {
      name: 'notextsub',
      what: 'no url.original.text / user_agent.original.text multi-fields',
      template: (t) => (patchField(t, 'url.original', { fields: undefined }), patchField(t, 'user_agent.original', { fields: undefined })),
    },
    {
      name: 'textsub',
      what: 'url.original.text / user_agent.original.text multi-fields (ECS), as the template had them before 2026-12-07',
      template: (t) => (patchField(t, 'url.original', { fields: { text: { type: 'text' } } }), patchField(t, 'user_agent.original', { fields: { text: { type: 'text' } } })),
    },
    { name: 'dvonly', what: `index: false (doc values only) on ${DOC_VALUES_ONLY.length} fields nothing searches by`, template: (t) => DOC_VALUES_ONLY.forEach((f) => patchField(t, f, { index: false })) },
    { name: 'sortts', what: 'index.sort.field @timestamp desc (logsdb sorts so already: use standard+sortts)', template: (t) => Object.assign(t.template.settings, { 'index.sort.field': '@timestamp', 'index.sort.order': 'desc' }) },
    { name: 'logsdb', what: 'index.mode: logsdb (here: synthetic _source, best_compression, sorted)', template: (t) => void (t.template.settings['index.mode'] = 'logsdb') },
    {
      name: 'logsdbstored',
      what: 'index.mode: logsdb with stored _source (what the default distribution gives a basic license)',
      template: (t) => Object.assign(t.template.settings, { 'index.mode': 'logsdb', 'index.mapping.source.mode': 'stored' }),
    },
    { name: 'keepmalformed', what: 'index.mapping.ignore_malformed: false (logsdb turns it on: a malformed value would be dropped, not rejected)', template: (t) => void (t.template.settings['index.mapping.ignore_malformed'] = false) },
    { name: 'refresh5s', what: 'index.refresh_interval 5s (CPU only)', template: (t) => void (t.template.settings['index.refresh_interval'] = '5s') },
    {
      name: 'original',
      what: 'document shape: the raw line in event.original (--keep-original; ECS maps it keyword, not indexed, no doc values)',
      doc: (b, raw) => void ((b.event as Record<string, unknown>).original = raw),
    },
    {
      name: 'message',
      what: 'document shape: the raw line in message (text), as documents had it before 2026-12-07',
      doc: (b, raw) => void (b.message = raw),
    },
    {
      name: 'msgdocs',
      what: 'the raw line in message, index_options docs, norms false (what match_only_text stores; phrase queries on message then fail)',
      template: (t) => patchField(t, 'message', { norms: false, index_options: 'docs' }),
      doc: (b, raw) => void (b.message = raw),
    },
  ];
}

/**
 * The candidate named `name` from `all`, where `a+b+…` applies the named candidates' template and
 * document edits in that order (e.g. `logsdb+notextsub`).
 * @throws when a part names no candidate.
 */
export function candidateByName(all: EsCostCandidate[], name: string): EsCostCandidate {
  const parts = name.split('+').map((n) => {
    const c = all.find((x) => x.name === n);
    if (!c) throw new Error(`unknown candidate ${n} (known: ${all.map((x) => x.name).join(', ')})`);
    return c;
  });
  if (parts.length === 1) return parts[0]!;
  return {
    name,
    what: parts.map((c) => c.what).join(' + '),
    template: (t) => parts.forEach((c) => c.template?.(t)),
    ...(parts.some((c) => c.doc) ? { doc: (b: Record<string, unknown>, raw: string) => parts.forEach((c) => c.doc?.(b, raw)) } : {}),
  };
}

/** What one candidate measured in one round. */
export interface EsCostRun {
  candidate: string;
  round: number;
  docs: number;
  storeBytesPerDoc: number;
  /** Elasticsearch CPU µs per document from the first bulk request until `_count` showed them all. */
  esCpuUsPerDoc: number;
  /** Elasticsearch CPU µs per document spent in the force-merge to one segment. */
  mergeCpuUsPerDoc: number;
  docsPerSec: number;
  /** With a latency run: append → searchable p50 and p99 in ms of documents sent at `latencyRate`/s into a fresh index of the candidate. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

/**
 * Indexes the same `records` (serialised once per candidate) into an index of its own per candidate and
 * round (`bench-escost-<run>-<candidate>-r<round>`, a plain index under a temporary composable template
 * with the weblogs template's settings and mappings as edited by the candidate, priority 500; plain
 * because this distribution cannot delete a data stream), force-merges it to one segment and reads its
 * primary store; rounds alternate the order of the candidates. Deletes its indices and templates afterwards.
 * @returns every run, in the order measured.
 * @throws when Elasticsearch refuses a candidate's template or a bulk request (the message says which).
 */
export async function benchEsCost(o: {
  esUrl: string;
  records: SourceRecord[];
  ctx: EnrichContext;
  batchSize: number;
  rounds: number;
  candidates: EsCostCandidate[];
  /** When > 0: per candidate and round, also `latencyRate` documents/s for this many seconds into a fresh index, polled for visibility (`visibilityLatencies`). */
  latencySeconds?: number;
  latencyRate?: number;
  log: (line: string) => void;
}): Promise<{ rawBytesPerDoc: number; runs: EsCostRun[] }> {
  const base = o.esUrl.replace(/\/$/, '');
  const run = Date.now().toString(36);
  const rawBytesPerDoc = rawBytesPerLine(o.records.map((r) => r.raw));
  o.log(`raw log: ${fmt(rawBytesPerDoc, 1)} bytes per line (UTF-8, newline included), ${fmt(o.records.length)} lines`);
  const runs: EsCostRun[] = [];
  const key = (c: EsCostCandidate): string => c.name.replaceAll('+', 'p');
  const created: { templates: string[]; streams: string[] } = { templates: [], streams: [] };
  const put = async (url: string, body: unknown): Promise<void> => {
    const res = await request(`${base}${url}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`PUT ${url} refused (${res.statusCode}): ${text}`);
  };
  try {
    for (const c of o.candidates) {
      const t = structuredClone(weblogsTemplate().body) as unknown as TemplateBody;
      c.template?.(t);
      // A plain index, not a data stream: this distribution has no REST handler to delete a data stream
      // (DELETE _data_stream/… answers 405) and the write index of one cannot be deleted either.
      delete t.data_stream;
      t.index_patterns = [`bench-escost-${run}-${key(c)}-*`];
      t.priority = 500;
      await put(`/_index_template/bench-escost-${run}-${key(c)}`, t);
      created.templates.push(`bench-escost-${run}-${key(c)}`);
    }
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? o.candidates : [...o.candidates].reverse();
      for (const c of order) {
        const ns = `escost${run}${key(c)}r${round}`;
        const stream = `bench-escost-${run}-${key(c)}-r${round}`;
        const bodies: string[] = [];
        const docLines: string[] = [];
        let docs = 0;
        for (let i = 0; i < o.records.length; i += o.batchSize) {
          const batch = transformBatch(o.records.slice(i, i + o.batchSize), o.ctx, ns).docs;
          for (const d of batch) d.index = stream;
          if (c.doc) for (const d of batch) (d.body = JSON.parse(JSON.stringify(d.body)) as Record<string, unknown>), c.doc(d.body, d.record.raw);
          const lines = c.doc ? batch.map((d) => `{"create":{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)}}}\n${JSON.stringify(d.body)}\n`) : bulkLines(batch);
          bodies.push(lines.join(''));
          if (o.latencySeconds) docLines.push(...lines);
          docs += batch.length;
        }
        created.streams.push(stream);
        const b = await timeBulkBodies(o.esUrl, bodies, stream, docs);
        const s = await storeAfterForceMerge(o.esUrl, stream);
        const r: EsCostRun = {
          candidate: c.name, round, docs, storeBytesPerDoc: s.bytesPerDoc, esCpuUsPerDoc: usPerDoc(b.esCpuSeconds, docs),
          mergeCpuUsPerDoc: usPerDoc(s.mergeCpuSeconds, docs), docsPerSec: b.searchablePerSec,
        };
        if (o.latencySeconds && o.latencyRate) {
          const lat = `${stream}-lat`;
          created.streams.push(lat);
          const from = `"_index":${JSON.stringify(stream)}`;
          const to = `"_index":${JSON.stringify(lat)}`;
          const bulkUrl = `${base}/_bulk`;
          const ms = await visibilityLatencies({
            esUrl: o.esUrl,
            index: lat,
            total: Math.min(docLines.length, o.latencyRate * o.latencySeconds),
            rate: o.latencyRate,
            send: async (i, n) => {
              const res = await request(bulkUrl, { method: 'POST', body: docLines.slice(i, i + n).join('').replaceAll(from, to), headers: { 'content-type': 'application/x-ndjson' } });
              await res.body.dump();
            },
            timeoutMs: (o.latencySeconds + 60) * 1000,
          });
          r.latencyP50Ms = percentile(ms, 50);
          r.latencyP99Ms = percentile(ms, 99);
          await request(`${base}/${lat}`, { method: 'DELETE' }).then((res) => res.body.dump());
        }
        runs.push(r);
        o.log(
          `  ${c.name.padEnd(13)} round ${round + 1}: ${fmt(r.storeBytesPerDoc, 1)} bytes/doc (${fmt(r.storeBytesPerDoc / rawBytesPerDoc, 3)} × raw); ` +
            `Elasticsearch CPU ${fmt(r.esCpuUsPerDoc, 1)} µs/doc indexing + ${fmt(r.mergeCpuUsPerDoc, 1)} µs/doc force-merge; ${fmt(r.docsPerSec)} docs/s searchable` +
            (r.latencyP99Ms !== undefined ? `; append → searchable at ${fmt(o.latencyRate!)}/s p50 ${fmt(r.latencyP50Ms!)} ms, p99 ${fmt(r.latencyP99Ms)} ms` : ''),
        );
        await request(`${base}/${stream}`, { method: 'DELETE' }).then((res) => res.body.dump());
      }
    }
  } finally {
    for (const s of created.streams) await request(`${base}/${s}`, { method: 'DELETE' }).then((r) => r.body.dump(), () => undefined);
    for (const t of created.templates) await request(`${base}/_index_template/${t}`, { method: 'DELETE' }).then((r) => r.body.dump(), () => undefined);
  }
  o.log(`per candidate (${o.rounds} round(s); store bytes/doc, Elasticsearch CPU µs/doc while indexing as min–max):`);
  const baseline = runs.filter((r) => r.candidate === o.candidates[0]!.name);
  const baseBytes = Math.min(...baseline.map((r) => r.storeBytesPerDoc));
  for (const c of o.candidates) {
    const rs = runs.filter((r) => r.candidate === c.name);
    const bytes = rs.map((r) => r.storeBytesPerDoc);
    const cpu = rs.map((r) => r.esCpuUsPerDoc);
    o.log(
      `  ${c.name.padEnd(13)} ${fmt(Math.min(...bytes), 1)}–${fmt(Math.max(...bytes), 1)} bytes/doc (${fmt(Math.min(...bytes) / baseBytes, 3)} × ${o.candidates[0]!.name}, ` +
        `${fmt(Math.min(...bytes) / rawBytesPerDoc, 3)} × raw); ${fmt(Math.min(...cpu), 1)}–${fmt(Math.max(...cpu), 1)} µs/doc — ${c.what}`,
    );
  }
  return { rawBytesPerDoc, runs };
}
