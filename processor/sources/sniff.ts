/**
 * What a file's first bytes say about how to read it: gzip is decompressed, text is read as lines,
 * anything else is skipped with one warning instead of being dead-lettered line by line.
 */
export type ContentKind = { kind: 'text' } | { kind: 'gzip' } | { kind: 'binary'; reason: string };

/** Bytes looked at: the first KiB, as `file`(1) and Git's binary detection do (Git: 8000). */
export const SNIFF_BYTES = 1024;

/** Share of non-text bytes above which a head is binary (Perl's `-B` test uses 30 %). */
const MAX_NON_TEXT_SHARE = 0.3;

/** Magic numbers of formats that are never line text (from each format's specification). */
const MAGICS: { name: string; bytes: number[] }[] = [
  { name: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'bzip2', bytes: [0x42, 0x5a, 0x68] }, // "BZh"
  { name: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'lz4', bytes: [0x04, 0x22, 0x4d, 0x18] },
  { name: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'png', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { name: 'gif', bytes: [0x47, 0x49, 0x46, 0x38] }, // "GIF8"
  { name: 'pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // "%PDF-"
  { name: 'elf', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'systemd journal', bytes: [0x4c, 0x50, 0x4b, 0x53, 0x48, 0x48, 0x52, 0x48] }, // "LPKSHHRH"
];

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Classifies a file by its head (up to {@link SNIFF_BYTES} bytes; an empty head is text, since
 * nothing is known yet): gzip by its magic bytes `1f 8b` (RFC 1952); binary when it starts with a
 * known magic number, contains a NUL byte, or more than 30 % of its bytes are control characters
 * other than tab, newline, carriage return, form feed, backspace and escape (ANSI colours), counting
 * bytes ≥ 0x80 as well when the head is not valid UTF-8.
 * Note: "BZh" and "GIF8" are ordinary text starts too; a file is binary by them only when followed
 * by what the format requires (a block size digit, "7a"/"9a").
 */
export function sniffContent(head: Buffer): ContentKind {
  const h = head.subarray(0, SNIFF_BYTES);
  if (h.length === 0) return { kind: 'text' };
  if (startsWith(h, GZIP_MAGIC)) return { kind: 'gzip' };
  for (const m of MAGICS) {
    if (!startsWith(h, m.bytes)) continue;
    if (m.name === 'bzip2' && !(h.length > 3 && h[3]! >= 0x31 && h[3]! <= 0x39)) continue;
    if (m.name === 'gif' && !(h.length > 5 && (h[4] === 0x37 || h[4] === 0x39) && h[5] === 0x61)) continue;
    return { kind: 'binary', reason: `${m.name} data` };
  }
  if (h.includes(0)) return { kind: 'binary', reason: 'NUL bytes' };
  let control = 0;
  let high = 0;
  for (const b of h) {
    if (b >= 0x80) high++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x08 && b !== 0x1b) control++;
    else if (b === 0x7f) control++;
  }
  const nonText = control + (high > 0 && !isUtf8Prefix(h) ? high : 0);
  if (nonText / h.length > MAX_NON_TEXT_SHARE) return { kind: 'binary', reason: `${Math.round((100 * nonText) / h.length)} % non-text bytes` };
  return { kind: 'text' };
}

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8, allowing the head to end inside a multi-byte character. */
function isUtf8Prefix(buf: Buffer): boolean {
  for (let cut = 0; cut <= 3 && cut < buf.length; cut++) {
    try {
      utf8.decode(buf.subarray(0, buf.length - cut));
      return true;
    } catch {
      // try without the last bytes: a character cut by the head's end
    }
  }
  return false;
}
