/**
 * The processor's metrics server (`processor/observability/http-server.ts`): GET/HEAD only (405 with
 * `Allow` otherwise), and the health probe called once per second at most, concurrent probes sharing
 * one call (the probe is the processor's Elasticsearch `cluster.health` call; here a counting stand-in,
 * since what is tested is how often the server calls it).
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Metrics } from '../../processor/observability/metrics.js';
import { sharedProbe, startHttpServer, type Health } from '../../processor/observability/http-server.js';

let server: Server;
let base: string;
let calls = 0;

beforeAll(async () => {
  const health = async (): Promise<Health> => {
    calls++;
    await new Promise((r) => setTimeout(r, 50));
    return { ok: true, elasticsearch: 'green', calls };
  };
  const s = await startHttpServer(new Metrics(), health, 0);
  server = s.server;
  base = `http://127.0.0.1:${s.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

describe('metrics server', () => {
  it('answers GET and HEAD; POST, PUT, DELETE get 405 with Allow: GET, HEAD', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await fetch(`${base}/healthz`, { method, body: method === 'DELETE' ? undefined : 'x' });
      expect([method, r.status]).toEqual([method, 405]);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('/healthz twice within a second, and 10 at once: one probe call', async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // past any earlier probe's second
    const before = calls;
    const a = await fetch(`${base}/healthz`);
    const b = await fetch(`${base}/healthz`);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(calls - before).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    const before2 = calls;
    const many = await Promise.all(Array.from({ length: 10 }, () => fetch(`${base}/healthz`)));
    expect(many.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(calls - before2).toBe(1);
  });

  it('sharedProbe: reuses an answer for the TTL, shares a call in flight, does not keep a failure', async () => {
    let t = 0;
    let n = 0;
    let fail = false;
    const p = sharedProbe(
      async () => {
        n++;
        if (fail) throw new Error('down');
        return n;
      },
      1_000,
      () => t,
    );
    expect(await Promise.all([p(), p()])).toEqual([1, 1]);
    t = 999;
    expect(await p()).toBe(1);
    t = 1_000;
    expect(await p()).toBe(2);
    fail = true;
    t = 5_000;
    await expect(p()).rejects.toThrow('down');
    fail = false;
    expect(await p()).toBe(4); // the failure was not reused
  });
});
