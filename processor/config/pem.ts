import { readFileSync } from 'node:fs';

/**
 * The PEM text of a CA certificate file given by the user (`--es-ca`, `--kafka-ca`, …).
 * @param file path of the file.
 * @param what what the file is, for the messages (e.g. `CA certificate`).
 * @param source the flag and variable it came from, for the messages (e.g. `--es-ca / ES_CA_CERT`).
 * @param fail builds the error thrown (a caller's own error class), default `Error`.
 * @throws `fail(message)` naming the file and `source` when it cannot be read (with the errno code) or
 *   holds no `-----BEGIN CERTIFICATE-----` block.
 */
export function readPemCertificate(file: string, what: string, source: string, fail: (message: string) => Error = (m) => new Error(m)): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read the ${what} ${file} (${source}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw fail(`${file} (${source}) holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}
