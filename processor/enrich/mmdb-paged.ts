import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';

// mmdb-lib (MaxMind's reader, which `maxmind` wraps) decodes the data section and the metadata; only
// its tree walk needs the whole file in one Buffer, so the walk is done here over pages. Its modules are
// CommonJS with `exports.default`: loaded with require so the default is the class, not the module.
const require = createRequire(import.meta.url);
const Decoder = (require('mmdb-lib/lib/decoder.js') as typeof import('mmdb-lib/lib/decoder.js')).default;
const ip = (require('mmdb-lib/lib/ip.js') as typeof import('mmdb-lib/lib/ip.js')).default;
const { parseMetadata } = require('mmdb-lib/lib/metadata.js') as typeof import('mmdb-lib/lib/metadata.js');

/** `<ABCDEF>MaxMind.com`: the marker before an MMDB file's metadata (MaxMind DB spec, "Database Metadata"). */
const METADATA_MARKER = Buffer.from('ABCDEF4D61784D696E642E636F6D', 'hex');
/** The spec caps metadata at 128 KiB: the marker is within the file's last 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
/** 16 zero bytes between the search tree and the data section (spec, "Data Section Separator"). */
const DATA_SECTION_SEPARATOR = 16;

/** Where a `PagedMmdbReader`'s bytes live. */
export interface PagedMmdbMemory {
  /** Bytes of the data section held (decoded records: names, coordinates). */
  dataSectionBytes: number;
  /** Bytes of search-tree pages cached now (bounded by `maxTreePages` × page size). */
  treeCacheBytes: number;
  /** Size of the search tree on disk, never held whole. */
  treeBytes: number;
}

/**
 * A reader of a MaxMind DB (MMDB) file that keeps only the data section in memory and reads the
 * search tree from the file on demand, in pages held in a bounded LRU cache. Answers are those of
 * `mmdb-lib`'s `Reader` over the same file (same tree walk, same decoder): no accuracy is lost, only
 * memory — DB-IP's IPv6 City Lite file is 71 MB, of which 59 MB is the tree and 12 MB the data.
 * A lookup walks up to 128 nodes (IPv6); the top of the tree stays cached, so an uncached lookup
 * reads a few pages at most (`pread`, from the OS page cache after the first time).
 *
 * Format: https://maxmind.github.io/MaxMind-DB/ (node layout for 24/28/32-bit records, pointer
 * arithmetic `record − node_count − 16` into the data section).
 *
 * @param file path of the `.mmdb` file; kept open until `close()`.
 * @param opts.dataSection the file's data section when another thread already read it (a view on a
 *   `SharedArrayBuffer`): not read again.
 * @param opts.allocate where the data section is read into when not given (default a Buffer; a
 *   `SharedArrayBuffer` view to share it with worker threads).
 * @param opts.maxTreePages tree pages cached, default 256 (each `nodeByteSize × 4096` bytes: 28 KiB
 *   for 28-bit records, so ~7 MiB).
 * @throws when the file cannot be read or is not an MMDB file (no metadata marker in its last 128 KiB).
 */
export class PagedMmdbReader<T> {
  readonly metadata: ReturnType<typeof parseMetadata>;
  readonly dataSection: Uint8Array;
  private readonly fd: number;
  private readonly decoder: InstanceType<typeof Decoder>;
  private readonly pageBytes: number;
  private readonly pages: LRUCache<number, Buffer>;
  private ipv4Start: number | undefined;

  constructor(file: string, opts: { dataSection?: Uint8Array; allocate?: (bytes: number) => Uint8Array; maxTreePages?: number } = {}) {
    let dataSection = opts.dataSection;
    this.fd = openSync(file, 'r');
    try {
      const size = fstatSync(this.fd).size;
      const tailBytes = Math.min(size, METADATA_MAX_BYTES);
      const tail = Buffer.alloc(tailBytes);
      readFully(this.fd, tail, size - tailBytes);
      const marker = tail.lastIndexOf(METADATA_MARKER);
      if (marker < 0) throw new Error(`${file}: not a MaxMind DB file (no metadata marker in its last ${tailBytes} bytes)`);
      this.metadata = parseMetadata(tail);
      const start = this.metadata.searchTreeSize + DATA_SECTION_SEPARATOR;
      const end = size - tailBytes + marker;
      if (dataSection === undefined) {
        dataSection = opts.allocate?.(end - start) ?? Buffer.alloc(end - start);
        readFully(this.fd, dataSection, start);
      } else if (dataSection.byteLength !== end - start) {
        throw new Error(`${file}: the data section given has ${dataSection.byteLength} bytes, the file's has ${end - start}`);
      }
      this.dataSection = dataSection;
      const asBuffer = Buffer.from(dataSection.buffer, dataSection.byteOffset, dataSection.byteLength);
      this.decoder = new Decoder(asBuffer, 0);
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
    this.pageBytes = this.metadata.nodeByteSize * 4096; // whole nodes per page: none straddles two
    this.pages = new LRUCache<number, Buffer>({ max: Math.max(1, opts.maxTreePages ?? 256) });
  }

  /**
   * The record of the network holding `address` (IPv4 or IPv6 text), or `null` when the database
   * has none. @throws mmdb-lib's error for text that is not an IP address.
   */
  get(address: string): T | null {
    const raw = ip.parse(address);
    const { nodeCount } = this.metadata;
    const bits = raw.length * 8;
    let node = raw.length === 4 ? this.startOfIpv4() : 0;
    for (let depth = 0; depth < bits && node < nodeCount; depth++) {
      node = this.record(node, ((raw[depth >> 3]! >> (7 - (depth & 7))) & 1) as 0 | 1);
    }
    if (node <= nodeCount) return null; // === nodeCount: no data; < nodeCount: ran out of address bits
    return (this.decoder.decodeFast(node - nodeCount - DATA_SECTION_SEPARATOR) as { value: T }).value;
  }

  /** Bytes held now (see `PagedMmdbMemory`). */
  memory(): PagedMmdbMemory {
    return { dataSectionBytes: this.dataSection.byteLength, treeCacheBytes: this.pages.size * this.pageBytes, treeBytes: this.metadata.searchTreeSize };
  }

  /** Closes the file (lookups afterwards throw). */
  close(): void {
    closeSync(this.fd);
  }

  /** Left (`bit` 0) or right (1) record of tree node `node`. */
  private record(node: number, bit: 0 | 1): number {
    const offset = node * this.metadata.nodeByteSize;
    const pageNo = Math.floor(offset / this.pageBytes);
    let page = this.pages.get(pageNo);
    if (page === undefined) {
      page = Buffer.alloc(this.pageBytes);
      const n = readSync(this.fd, page, 0, this.pageBytes, pageNo * this.pageBytes);
      page = n === this.pageBytes ? page : page.subarray(0, n);
      this.pages.set(pageNo, page);
    }
    const o = offset - pageNo * this.pageBytes;
    switch (this.metadata.recordSize) {
      case 24:
        return bit === 0 ? page.readUIntBE(o, 3) : page.readUIntBE(o + 3, 3);
      case 28:
        return bit === 0 ? ((page[o + 3]! & 0xf0) << 20) | page.readUIntBE(o, 3) : ((page[o + 3]! & 0x0f) << 24) | page.readUIntBE(o + 4, 3);
      default:
        return bit === 0 ? page.readUInt32BE(o) : page.readUInt32BE(o + 4);
    }
  }

  /** IPv4 addresses in an IPv6 tree live under `::/96`: the node 96 left turns down. */
  private startOfIpv4(): number {
    if (this.ipv4Start === undefined) {
      let node = 0;
      if (this.metadata.ipVersion === 6) for (let i = 0; i < 96 && node < this.metadata.nodeCount; i++) node = this.record(node, 0);
      this.ipv4Start = node;
    }
    return this.ipv4Start;
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length; ) {
    const n = readSync(fd, into, off, into.length - off, position + off);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + off}`);
    off += n;
  }
}
