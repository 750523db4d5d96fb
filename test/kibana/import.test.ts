/**
 * `npm run kibana:import` against a FAKE Kibana: a tiny node:http server on 127.0.0.1:0 that records
 * the multipart request and answers like Kibana's documented import API
 * (`POST /api/saved_objects/_import`, docs/api/saved-objects/import.asciidoc in elastic/kibana).
 * Kibana cannot run on this machine, so this does NOT prove that Kibana accepts the objects (the
 * contract test in saved-objects.test.ts checks their structure and fields); it checks the request we
 * send (path, space, `overwrite=true`, `kbn-xsrf`, credentials, the NDJSON as the multipart field
 * `file`) and how we handle success, per-object errors, HTTP errors and an unreachable Kibana,
 * including the CLI's output and exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  authFromEnv,
  importSavedObjects,
  importUrl,
  KibanaHttpError,
  KibanaUnreachableError,
} from '../../kibana/import-client.js';
import { NDJSON_PATH, parseNdjson } from '../../kibana/saved-objects.js';
import { spawnTsx } from '../support/processes.js';

/** One request as the fake Kibana saw it. */
interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Multipart parts: field name, file name, content type, body text. */
  parts: { name?: string; filename?: string; contentType?: string; body: string }[];
}

/** Splits a multipart/form-data body (RFC 7578) into its parts. */
function parseMultipart(body: Buffer, contentType: string | undefined): Recorded['parts'] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return [];
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  return body
    .toString('utf8')
    .split(delimiter)
    .slice(1, -1)
    .map((raw) => {
      const part = raw.replace(/^\r\n/, '').replace(/\r\n$/, '');
      const sep = part.indexOf('\r\n\r\n');
      const head = part.slice(0, sep);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
      return {
        name: /\bname="([^"]*)"/.exec(disposition)?.[1],
        filename: /filename="([^"]*)"/.exec(disposition)?.[1],
        contentType: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim(),
        body: part.slice(sep + 4),
      };
    });
}

/** What the fake answers next: status and JSON body, or a function of the recorded request. */
type Reply = { status: number; body: unknown } | ((r: Recorded) => { status: number; body: unknown });

let server: Server;
let baseUrl: string;
let requests: Recorded[] = [];
let reply: Reply;

/** A documented success answer: every object of the uploaded NDJSON in `successResults`. */
const allSucceed: Reply = (r) => {
  const objs = parseNdjson(r.parts.find((p) => p.name === 'file')?.body ?? '');
  return {
    status: 200,
    body: {
      success: true,
      successCount: objs.length,
      successResults: objs.map((o) => ({ type: o.type, id: o.id, meta: { title: o.attributes.title, icon: 'app' } })),
    },
  };
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        parts: parseMultipart(Buffer.concat(chunks), req.headers['content-type']),
      };
      requests.push(rec);
      const { status, body } = typeof reply === 'function' ? reply(rec) : reply;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  reply = allSucceed;
});

const ndjson = readFileSync(NDJSON_PATH, 'utf8');

/** A port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('importSavedObjects (fake Kibana)', () => {
  it('POSTs the NDJSON as the multipart field "file" with kbn-xsrf and overwrite=true, and reports every object', async () => {
    const report = await importSavedObjects({ kibanaUrl: `${baseUrl}/`, ndjson });
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/api/saved_objects/_import?overwrite=true');
    expect(r.headers['kbn-xsrf']).toBe('true');
    expect(r.headers.authorization).toBeUndefined();
    expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]).toMatchObject({ name: 'file', filename: 'saved-objects.ndjson', contentType: 'application/ndjson' });
    expect(r.parts[0]!.body).toBe(ndjson);

    const objects = parseNdjson(ndjson);
    expect(report.ok).toBe(true);
    expect(report.successCount).toBe(objects.length);
    expect(report.results.map((x) => `${x.type}/${x.id}`)).toEqual(objects.map((o) => `${o.type}/${o.id}`));
    expect(report.results.every((x) => x.ok && x.title)).toBe(true);
  });

  it('imports into a space under /s/<space>/ and sends basic auth or an API key', async () => {
    await importSavedObjects({ kibanaUrl: baseUrl, ndjson, space: 'team-a', auth: { username: 'elastic', password: 'p:w' } });
    await importSavedObjects({ kibanaUrl: baseUrl, ndjson, auth: { apiKey: 'a2V5OnNlY3JldA==' } });
    expect(requests[0]!.url).toBe('/s/team-a/api/saved_objects/_import?overwrite=true');
    expect(requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('elastic:p:w').toString('base64')}`);
    expect(requests[1]!.headers.authorization).toBe('ApiKey a2V5OnNlY3JldA==');
    expect(() => importUrl(baseUrl, 'Team A')).toThrow(/invalid space id/);
  });

  it('takes credentials from KIBANA_API_KEY (preferred) or KIBANA_USERNAME/KIBANA_PASSWORD', () => {
    expect(authFromEnv({})).toBeUndefined();
    expect(authFromEnv({ KIBANA_USERNAME: 'u', KIBANA_PASSWORD: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(authFromEnv({ KIBANA_API_KEY: 'k', KIBANA_USERNAME: 'u' })).toEqual({ apiKey: 'k' });
  });

  it('reports per-object errors from a 200 answer with success: false', async () => {
    reply = {
      status: 200,
      body: {
        success: false,
        successCount: 1,
        successResults: [{ type: 'index-pattern', id: 'dv-1', meta: { title: 'logs-*', icon: 'indexPatternApp' } }],
        errors: [
          {
            type: 'lens',
            id: 'vis-1',
            title: 'Requests',
            meta: { title: 'Requests', icon: 'lensApp' },
            error: { type: 'missing_references', references: [{ type: 'index-pattern', id: 'gone' }] },
          },
          { type: 'dashboard', id: 'dash-1', meta: { title: 'Web' }, error: { type: 'conflict', destinationId: 'other' } },
          { type: 'map', id: 'map-1', title: 'Clients', error: { type: 'unknown', message: 'Document uses unknown typeMigrationVersion', statusCode: 400 } },
          { type: 'canvas-workpad', id: 'c-1', title: 'Pad', error: { type: 'unsupported_type' } },
        ],
      },
    };
    const report = await importSavedObjects({ kibanaUrl: baseUrl, ndjson });
    expect(report.ok).toBe(false);
    expect(report.successCount).toBe(1);
    expect(report.results).toEqual([
      { type: 'index-pattern', id: 'dv-1', title: 'logs-*', ok: true },
      { type: 'lens', id: 'vis-1', title: 'Requests', ok: false, error: 'missing_references: index-pattern/gone' },
      { type: 'dashboard', id: 'dash-1', title: 'Web', ok: false, error: 'conflict with other' },
      { type: 'map', id: 'map-1', title: 'Clients', ok: false, error: 'unknown: Document uses unknown typeMigrationVersion' },
      { type: 'canvas-workpad', id: 'c-1', title: 'Pad', ok: false, error: 'unsupported_type' },
    ]);
  });

  it('turns an HTTP error into KibanaHttpError with Kibana\'s message and a hint', async () => {
    reply = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: '[security_exception] missing authentication credentials' } };
    const err = await importSavedObjects({ kibanaUrl: baseUrl, ndjson }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KibanaHttpError);
    expect((err as KibanaHttpError).status).toBe(401);
    expect((err as Error).message).toMatch(/401.*missing authentication credentials.*KIBANA_API_KEY/);

    reply = { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Not Found' } };
    await expect(importSavedObjects({ kibanaUrl: baseUrl, ndjson, space: 'nope' })).rejects.toThrow(/404.*space "nope"/);

    reply = { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Invalid file extension .txt' } };
    await expect(importSavedObjects({ kibanaUrl: baseUrl, ndjson })).rejects.toThrow(/400.*Invalid file extension/);
  });

  it('says clearly when Kibana is unreachable', async () => {
    const port = await closedPort();
    const err = await importSavedObjects({ kibanaUrl: `http://127.0.0.1:${port}`, ndjson }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KibanaUnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`not reachable at http://127.0.0.1:${port} \\(ECONNREFUSED\\).*KIBANA_URL`));
  });
});

describe('npm run kibana:import (CLI, fake Kibana)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-kibana-import-'));
  const file = path.join(dir, 'objects.ndjson');
  const two = parseNdjson(ndjson).slice(0, 2);
  writeFileSync(file, two.map((o) => JSON.stringify(o)).join('\n') + '\n');

  it('prints each imported object and exits 0', async () => {
    const child = spawnTsx('kibana/import.ts', ['--file', file, '--space', 'ops'], { KIBANA_URL: baseUrl, KIBANA_API_KEY: 'k' });
    expect(await child.exited).toBe(0);
    expect(requests[0]!.url).toBe('/s/ops/api/saved_objects/_import?overwrite=true');
    expect(requests[0]!.headers.authorization).toBe('ApiKey k');
    for (const o of two) expect(child.stdout()).toContain(`ok     ${o.type} ${o.id}`);
    expect(child.stdout()).toContain(`imported 2 objects into ${baseUrl} (space ops)`);
  });

  it('prints the failed objects and exits 1 when any object failed', async () => {
    reply = {
      status: 200,
      body: { success: false, successCount: 0, errors: [{ type: 'lens', id: 'v', title: 'V', error: { type: 'missing_references', references: [{ type: 'index-pattern', id: 'x' }] } }] },
    };
    const child = spawnTsx('kibana/import.ts', ['--file', file], { KIBANA_URL: baseUrl });
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain('ERROR  lens v "V": missing_references: index-pattern/x');
    expect(child.stderr()).toContain('0 imported, 1 failed');
  });

  it('exits 2 with a clear message when Kibana is unreachable', async () => {
    const port = await closedPort();
    const child = spawnTsx('kibana/import.ts', ['--file', file], { KIBANA_URL: `http://127.0.0.1:${port}` });
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toMatch(/Kibana is not reachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});
