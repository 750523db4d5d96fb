import { UAParser } from 'ua-parser-js';
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import { withJsonText } from './json-text.js';
import { detached } from './detached-string.js';

/** ECS `user_agent.*` fields (https://www.elastic.co/guide/en/ecs/current/ecs-user_agent.html). */
export interface UserAgentFields {
  original: string;
  name?: string;
  version?: string;
  os?: { name?: string; version?: string; full?: string };
  device?: { name?: string };
}

/** Parsed user agent plus whether it is a crawler (by `isbot`'s pattern list). */
export interface ParsedUserAgent {
  fields: UserAgentFields;
  crawler: boolean;
}

/** Parses user-agent strings with a bounded cache: real traffic repeats a few hundred strings. */
export interface UserAgentParser {
  parse(ua: string): ParsedUserAgent;
}

/**
 * ua-parser-js 1.x calls every macOS "Mac OS"; uap-core, which Elasticsearch's `user_agent` ingest
 * processor uses, calls the 10.x releases "Mac OS X". Follow Elastic's naming so dashboards built on
 * either source agree.
 */
function osName(name: string, version: string | undefined): string {
  return name === 'Mac OS' && version?.startsWith('10') ? 'Mac OS X' : name;
}

/**
 * Creates a parser backed by `ua-parser-js` 1.x (MIT; 2.x is AGPL) and `isbot`, memoising up to
 * `cacheSize` distinct strings in an LRU (`lru-cache`: the least recently *used* is evicted, so the
 * few hundred strings that make most of real traffic stay while a long tail of one-off agents churns;
 * an uncached parse costs ~80 µs, a hit well under 1 µs). Entries are shared: do not mutate them.
 */
export function createUserAgentParser(cacheSize = 10_000): UserAgentParser {
  const cache = new LRUCache<string, ParsedUserAgent>({ max: cacheSize });
  return {
    parse(agent: string): ParsedUserAgent {
      const hit = cache.get(agent);
      if (hit) return hit;
      const ua = detached(agent); // the cache keeps it, and `original` is it: not a view into the log line
      const r = new UAParser(ua).getResult();
      const fields: UserAgentFields = { original: ua };
      if (r.browser.name) fields.name = r.browser.name;
      if (r.browser.version) fields.version = r.browser.version;
      if (r.os.name) {
        fields.os = { name: osName(r.os.name, r.os.version) };
        if (r.os.version) {
          fields.os.version = r.os.version;
          fields.os.full = `${fields.os.name} ${r.os.version}`;
        } else {
          fields.os.full = fields.os.name;
        }
      }
      const device = [r.device.vendor, r.device.model].filter(Boolean).join(' ');
      if (device) fields.device = { name: device };
      const parsed: ParsedUserAgent = { fields: withJsonText(fields), crawler: isbot(ua) };
      cache.set(ua, parsed);
      return parsed;
    },
  };
}
