/**
 * The window operator's `assess` on its own (no Elasticsearch: it only reads the batch): late
 * documents are tagged and counted in `rtas_window_late_events_total` per dataset, on-time ones touch
 * the windows that contain them, and the watermark follows the latest event time.
 */
import type { Client } from '@elastic/elasticsearch';
import pino from 'pino';
import { describe, expect, it, jest } from '@jest/globals';
import { trafficPerMinute } from '../../processor/datasets/weblogs/windows.js';
import { Metrics } from '../../processor/observability/metrics.js';
import type { OutputDocument } from '../../processor/pipeline/types.js';
import { LATE_TAG, WindowOperator } from '../../processor/windows/window-operator.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T14:00:00.000Z');

function doc(i: number, t: number, dataset = 'weblogs'): OutputDocument {
  const position = { kind: 'file' as const, path: 'a.log', fileId: 'a', generation: 0, offset: i, nextOffset: i + 1 };
  return { id: String(i), index: `logs-${dataset}-t`, body: { '@timestamp': new Date(t).toISOString() }, record: { dataset, raw: '', position } };
}

describe('WindowOperator.assess', () => {
  it('tags and counts late documents per batch, and touches the windows of the on-time ones', async () => {
    const metrics = new Metrics();
    const inc = jest.spyOn(metrics.windowLateEvents, 'inc');
    // assess never calls Elasticsearch; the client is only used by flush.
    const op = new WindowOperator({ client: {} as Client, definitions: [trafficPerMinute], namespace: 't', allowedLatenessMs: 2 * MINUTE, metrics, log: pino({ level: 'silent' }) });

    const first = [doc(0, T0), doc(1, T0 + 5 * MINUTE), doc(2, T0 + MINUTE), doc(3, T0 + 4 * MINUTE + 1)];
    const touches1 = op.assess(first);
    // Watermark after doc 1: T0 + 3 min. Doc 2 (T0 + 1 min) is late; doc 3 (T0 + 4 min) is on time.
    expect(first.map((d) => d.body.tags)).toEqual([undefined, undefined, [LATE_TAG], undefined]);
    expect([...touches1.get(trafficPerMinute.name)!.get('')!].sort((a, b) => a - b)).toEqual([T0, T0 + 4 * MINUTE, T0 + 5 * MINUTE]);
    expect(op.watermark('weblogs')).toBe(T0 + 3 * MINUTE);

    const second = [doc(4, T0), doc(5, T0 + 2 * MINUTE), doc(6, T0 + 3 * MINUTE), doc(7, T0 + 6 * MINUTE, 'ticks')];
    second[0]!.body.tags = ['truncated_user_agent'];
    op.assess(second);
    // Docs 4 and 5 are late (doc 4 keeps its own tag); doc 6 sits on the watermark: on time. Ticks feed no window here.
    expect(second.map((d) => d.body.tags)).toEqual([['truncated_user_agent', LATE_TAG], [LATE_TAG], undefined, undefined]);

    // One counter call per batch and dataset, not one per late document.
    expect(inc.mock.calls).toEqual([[{ dataset: 'weblogs' }, 1], [{ dataset: 'weblogs' }, 2]]);
    const counted = await metrics.windowLateEvents.get();
    expect(counted.values.map((v) => [v.labels.dataset, v.value])).toEqual([['weblogs', 3]]);
  });
});
