/**
 * A broker outage seen by one kafkajs client only: a `socketFactory` whose connections the test can
 * cut while every other client (and every other test) keeps using the shared broker.
 *
 * - `cutAtNextCommit()`: the next OffsetCommit request the client writes is not sent (it was "on the
 *   wire" when the link died), every open connection is reset (`ECONNRESET`, so kafkajs rejects the
 *   requests in flight with a retriable connection error) and new connections are refused
 *   (`ECONNREFUSED`) until `restore()`.
 * - `holdCommits()` / `releaseCommits()`: OffsetCommit requests written meanwhile are not sent and stay
 *   pending; `releaseCommits()` resets the connections that hold one, so each fails with a retriable
 *   connection error (as a request lost in an outage does), and lets later ones through. Until the
 *   first commit is held, JoinGroup requests wait (then they are sent as written): the member cannot
 *   rejoin before a commit attempt is pending.
 *
 * Every group request the client writes is recorded with the generation and member id it carries
 * (read from the bytes on the wire), so a test can tell which generation a commit was sent in.
 */
import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** JoinGroup's API key. */
const JOIN_GROUP = 11;

/** The Kafka API keys recorded (OffsetCommit 8, SyncGroup 14). */
const API_NAMES: Record<number, 'OffsetCommit' | 'SyncGroup'> = { 8: 'OffsetCommit', 14: 'SyncGroup' };

/** One OffsetCommit or SyncGroup request as the client wrote it. */
export interface GroupRequest {
  api: 'OffsetCommit' | 'SyncGroup';
  /** The group generation the request carries (`generation_id`). */
  generationId: number;
  memberId: string;
  /** `Date.now()` when it was written. */
  at: number;
  /** What happened to it: sent to the broker, dropped by a cut, or held (see `holdCommits`). */
  fate: 'sent' | 'cut' | 'held';
}

/**
 * Generation and member id of an OffsetCommit (v1–v5) or SyncGroup (v0–v3) request: a size-prefixed
 * request with header v1 (api key, api version, correlation id, client id), then group id (string),
 * generation id (int32), member id (string). These are the versions kafkajs 2.2 speaks (none of them
 * flexible). `undefined` for any other request, and for OffsetCommit v0 (no generation).
 */
export function parseGroupRequest(buf: Buffer): Omit<GroupRequest, 'at' | 'fate'> | undefined {
  if (buf.length < 14) return undefined;
  const api = API_NAMES[buf.readInt16BE(4)];
  if (!api || (api === 'OffsetCommit' && buf.readInt16BE(6) < 1)) return undefined;
  let o = 12;
  o += 2 + Math.max(buf.readInt16BE(o), 0); // client id
  o += 2 + buf.readInt16BE(o); // group id
  const generationId = buf.readInt32BE(o);
  o += 4;
  const memberLength = buf.readInt16BE(o);
  o += 2;
  return { api, generationId, memberId: buf.toString('utf8', o, o + memberLength) };
}

/** See the module comment. */
export class CuttableNetwork {
  /** Group requests written, in order. */
  readonly requests: GroupRequest[] = [];
  /** Connections refused while down. */
  refused = 0;
  private readonly open = new Set<net.Socket>();
  private readonly holding = new Set<net.Socket>();
  private down = false;
  private hold = false;
  /** JoinGroup requests waiting for the first held commit (see `holdCommits`). */
  private joinsWaiting: { socket: net.Socket; send: () => void }[] | undefined;
  private onCommitCut: ((r: GroupRequest) => void) | undefined;

  /** Give this to kafkajs (`new Kafka({ socketFactory })`). */
  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (this.down) {
      this.refused += 1;
      const refused = new net.Socket();
      // kafkajs adds its listeners after the factory returns; the error comes on a later tick.
      setImmediate(() => refused.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (test outage)`), { code: 'ECONNREFUSED' })));
      return refused;
    }
    const socket = net.connect({ host, port }, onConnect);
    this.open.add(socket);
    socket.on('close', () => {
      this.open.delete(socket);
      this.holding.delete(socket);
    });
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.joinsWaiting && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === JOIN_GROUP) {
        this.joinsWaiting.push({ socket, send: () => write(chunk, ...rest) });
        return true;
      }
      const parsed = Buffer.isBuffer(chunk) ? parseGroupRequest(chunk) : undefined;
      if (!parsed) return write(chunk, ...rest);
      const request: GroupRequest = { ...parsed, at: Date.now(), fate: 'sent' };
      this.requests.push(request);
      if (parsed.api === 'OffsetCommit' && this.onCommitCut) {
        request.fate = 'cut';
        const notify = this.onCommitCut;
        this.onCommitCut = undefined;
        this.down = true;
        // Reset after kafkajs has finished queueing this request (it is then "in flight").
        setImmediate(() => {
          for (const s of this.open) resetSocket(s);
          notify(request);
        });
        return true;
      }
      if (parsed.api === 'OffsetCommit' && this.hold) {
        request.fate = 'held';
        this.holding.add(socket);
        const joins = this.joinsWaiting ?? [];
        this.joinsWaiting = undefined;
        for (const j of joins) if (!j.socket.destroyed) j.send();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };

  /** Resolves with the OffsetCommit request that was cut, once every connection has been reset. */
  cutAtNextCommit(): Promise<GroupRequest> {
    return new Promise((resolve) => (this.onCommitCut = resolve));
  }

  /** The broker is reachable again (new connections are made). */
  restore(): void {
    this.down = false;
  }

  /** From now on OffsetCommit requests are held (not sent, left pending); JoinGroup requests wait for the first. */
  holdCommits(): void {
    this.hold = true;
    this.joinsWaiting = [];
  }

  /** Resets the connections holding a commit and lets later commits through. @returns how many connections were reset. */
  releaseCommits(): number {
    this.hold = false;
    const joins = this.joinsWaiting ?? [];
    this.joinsWaiting = undefined;
    for (const j of joins) if (!j.socket.destroyed) j.send();
    const n = this.holding.size;
    for (const s of this.holding) resetSocket(s);
    this.holding.clear();
    return n;
  }

  /** Connections currently open. */
  get openConnections(): number {
    return this.open.size;
  }
}

/** Destroys `socket` with ECONNRESET: kafkajs sees an `error` (a plain `destroy()` would only `close`, which it does not listen to). */
function resetSocket(socket: net.Socket): void {
  socket.destroy(Object.assign(new Error('read ECONNRESET (test outage)'), { code: 'ECONNRESET' }));
}
