/** File locations of the Kibana objects, shared by the generator, the importer and the tests. */
import { fileURLToPath } from 'node:url';

/** Path of the generated, committed NDJSON file (`kibana/saved-objects.ndjson`). */
export const NDJSON_PATH = fileURLToPath(new URL('./saved-objects.ndjson', import.meta.url));
