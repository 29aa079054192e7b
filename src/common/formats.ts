/**
 * The format rules the runtime and the editor share: each is `(value) => problem text | null` and
 * judges one value as the runtime reads it (a config field after Node-RED put in its `${ENV}`, or a
 * message property). The runtime's checks call these; the editor runs the very same functions,
 * which the build sends as their source (scripts/link-nodes.js → resources/formats.js). So every rule is self-contained: no name from this module or from
 * Node.js, its constants inside it, only what ECMAScript itself has (no URL, no Buffer).
 *
 * A rule judges a value that is there: what an empty field means (the vendor's pin, "from msg",
 * "not set") is the field's business, decided by its caller, and so is a `${ENV}` reference the
 * editor can not resolve. A text problem never quotes the value (it may be a secret).
 */

/** A host name or IP address as a server field holds it: no scheme, port, path or spaces. */
export function hostProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return 'a host name or IP address is needed, e.g. 10.11.12.13';
  if (text.length > 253) return 'a host name is at most 253 characters';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return 'the host only, without http:// or https://';
  if (/\s/.test(text)) return 'a host name or address, without spaces';
  const ipv6 = /^\[?([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]?$/.exec(text);
  if (ipv6 && text.startsWith('[') === text.endsWith(']') && /:.*:/.test(ipv6[1])) return null;
  if (/^[\d.]+$/.test(text)) {
    const parts = text.split('.');
    const ok = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
    return ok ? null : 'an IPv4 address has four numbers from 0 to 255, e.g. 10.11.12.13';
  }
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(text))
    return 'a host name or IP address (letters, digits, ".", "-", "_"; no port or path), e.g. 10.11.12.13';
  return null;
}

/** A SHA-256 certificate fingerprint: 32 hex bytes; colons, spaces and case do not matter. */
export function fingerprintProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  if (text.length <= 200 && /^[0-9A-Fa-f]{64}$/.test(text.replace(/[\s:]/g, ''))) return null;
  return 'must be a SHA-256 fingerprint (64 hex digits, e.g. C5:0C:…:10)';
}

/**
 * PEM certificate text: one or more BEGIN/END CERTIFICATE blocks of base64; text between blocks
 * (openssl's "subject=" lines) is allowed. Whether a block holds a certificate Node.js can read
 * is checked by the runtime beside this rule (the editor has no X.509 parser).
 */
export function pemProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  const max = 1_000_000;
  if (text.length > max) return `the certificate text is longer than ${max} characters`;
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    return 'must be a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  for (let i = 0; i < blocks.length; i++) {
    const body = blocks[i].slice(27, -25).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body))
      return `certificate ${i + 1} is not base64 between its BEGIN and END lines`;
  }
  return null;
}

/** A RemotiveBroker URL: http://host[:port] (plaintext gRPC) or https://host[:port] (TLS), nothing after. */
export function brokerUrlProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  const expected = '(expected http://host:50051 or https://host)';
  if (text === '') return `the broker URL is empty ${expected}`;
  if (text.length > 2000) return 'the broker URL is longer than 2000 characters';
  const scheme = (/^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1] ?? '').toLowerCase();
  if (scheme === '') return `the broker URL is not a valid URL ${expected}`;
  if (scheme !== 'http' && scheme !== 'https')
    return `the broker URL must start with http:// (plaintext) or https:// (TLS), not ${scheme.slice(0, 20)}://`;
  const url = /^([A-Za-z]+):\/\/([^/?#]*)(.*)$/s.exec(text);
  if (!url) return `the broker URL is not a valid URL ${expected}`;
  if (url[2].includes('@'))
    return 'the broker URL must not contain credentials; use the API key field instead';
  if (url[3] !== '' && url[3] !== '/')
    return 'the broker URL must be only scheme, host and port (no path or query)';
  const authority = /^(\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(url[2]);
  const host = authority ? authority[1] : '';
  const named = /^[\p{L}\p{N}](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}])?$/u.test(host);
  // A host whose last label is a number is an IPv4 address to a URL parser: then it must be one.
  const quad = host.split('.');
  const numeric = /^(\d+|0x[0-9a-f]*)$/i.test(quad[quad.length - 1]);
  const ipv4 = quad.length === 4 && quad.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  if (url[2] === '') return `the broker URL has no host ${expected}`;
  if (!authority || !(host.startsWith('[') || (named && (!numeric || ipv4))))
    return `the broker URL is not a valid URL: its host is not a host name or IP address ${expected}`;
  if (authority[2] !== undefined && (Number(authority[2]) < 1 || Number(authority[2]) > 65535))
    return 'the broker URL is not a valid URL: its port must be from 1 to 65535';
  return null;
}

/**
 * An Aivero (Hasura) GraphQL endpoint: http(s) or ws(s), a host, an optional port and path; no
 * credentials, query or fragment. A bare origin means /v1/graphql.
 */
export function endpointProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return 'the Aivero GraphQL endpoint is missing (e.g. https://ds.aivero.lan/v1/graphql)';
  if (text.length > 2048) return 'the URL is longer than 2048 characters';
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(.*)$/s.exec(text);
  if (!url) return 'not a valid URL (expected https://host/v1/graphql)';
  const scheme = url[1].toLowerCase();
  if (!['http', 'https', 'ws', 'wss'].includes(scheme))
    return `the scheme must be https, http, wss or ws, not "${scheme.slice(0, 20)}"`;
  if (url[2].includes('@')) return 'put proxy credentials in an extra Authorization header, not in the URL';
  if (url[4] !== '') return 'the URL must not have a query or fragment';
  if (/[\u0000-\u001f\u007f]/.test(url[3])) return 'the URL path must not contain control characters';
  const authority = /^(\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(url[2]);
  const host = authority ? authority[1] : '';
  const named = /^[\p{L}\p{N}](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}])?$/u.test(host);
  // A host whose last label is a number is an IPv4 address to a URL parser: then it must be one.
  const quad = host.split('.');
  const numeric = /^(\d+|0x[0-9a-f]*)$/i.test(quad[quad.length - 1]);
  const ipv4 = quad.length === 4 && quad.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  if (!authority || !(host.startsWith('[') || (named && (!numeric || ipv4))))
    return 'not a valid host (expected https://host/v1/graphql)';
  if (authority[2] !== undefined && Number(authority[2]) > 65535) return 'the port must be at most 65535';
  return null;
}

/**
 * Extra HTTP headers: a JSON object (or its text) of header name → text or number. Names are
 * HTTP tokens and not one the client sets itself; values fit in a header (no line break).
 */
export function headersProblem(value: unknown): string | null {
  let object: unknown = value;
  if (typeof value === 'string') {
    if (value.length > 65_536) return 'extra headers are longer than 65536 characters';
    try {
      object = JSON.parse(value);
    } catch {
      return 'extra headers must be a JSON object, e.g. {"Authorization": "Basic …"}';
    }
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    return 'extra headers must be a JSON object, e.g. {"Authorization": "Basic …"}';
  const reserved = ['x-hasura-admin-secret', 'x-hasura-role', 'content-type', 'content-length', 'host'];
  for (const [name, header] of Object.entries(object)) {
    const shown = JSON.stringify(name.slice(0, 40));
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) return `${shown} is not a valid header name`;
    if (reserved.includes(name.toLowerCase())) return `"${name.toLowerCase()}" is set by the client itself`;
    if (typeof header === 'number' && Number.isFinite(header)) continue;
    if (typeof header !== 'string') return `extra header ${shown} must be text`;
    if (header.length > 8192) return `extra header ${shown} is too long for a header`;
    // CR/LF would split the header (request smuggling); a tab is allowed in a header value.
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(header))
      return `extra header ${shown} contains a line break or control character`;
  }
  return null;
}

/** A session id: a uuid. */
export function uuidProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return null;
  return 'must be a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)';
}

/**
 * One motif path part (a camera serial, an output, a parameter, a task): motif's `[^\s/]+`, at
 * most 128 characters, not "." or ".." (a normalising proxy would climb out), no invisible
 * characters (control, format, lone surrogates, line separators).
 */
export function segmentProblem(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0) return 'is missing';
  if (text.length > 128) return 'is longer than 128 characters';
  if (text === '.' || text === '..') return 'must not be "." or ".."';
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(text)) return 'must not contain control characters';
  if (!/^[^\s/]+$/.test(text)) return 'must not contain "/" or whitespace';
  return null;
}

/** A motif schedule task's output or parameter name, or its camera serial: 1–100 characters, no "/" or spaces. */
export function taskTargetProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  return /^[^\s/]{1,100}$/.test(text) ? null : 'needs a name of 1–100 characters without "/" or spaces';
}

/**
 * A playback offset: microseconds (a whole number, or its digits), a value with a unit
 * (62.5s, 1500ms, 250us, 1.15min, 2h) or a clock (m:ss(.s), h:mm:ss(.s)); from 0 up to the
 * largest safe integer of microseconds. A bare fraction is ambiguous (seconds or µs?) and refused.
 * The runtime's parser (backends/remotive/offset.ts) reads exactly what this accepts.
 */
export function offsetProblem(value: unknown): string | null {
  const units: Record<string, number> = {
    us: 1,
    µs: 1,
    ms: 1_000,
    s: 1_000_000,
    sec: 1_000_000,
    min: 60_000_000,
    m: 60_000_000,
    h: 3_600_000_000,
  };
  const range = (us: number, shown: string): string | null =>
    us < 0
      ? `the offset ${shown} is negative`
      : Number.isSafeInteger(us)
        ? null
        : `the offset ${shown} is too large`;
  if (typeof value === 'bigint') return range(Number(value), String(value));
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? range(Math.round(value), String(value))
      : 'the offset must be a finite number of microseconds';
  if (typeof value !== 'string') {
    const kind =
      value === null
        ? 'null'
        : value === undefined
          ? 'nothing'
          : Array.isArray(value)
            ? 'a list'
            : `a ${typeof value}`;
    return `the offset must be microseconds or a time such as "1:02.5" or "62.5s", not ${kind}`;
  }
  const text = value.trim();
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (text === '') return 'the offset is empty';
  if (/^\d+$/.test(text)) return range(Number(text), shown);
  if (/^-/.test(text)) return `the offset ${shown} is negative`;
  if (/^\d*\.\d+$/.test(text))
    return `the offset ${shown} is ambiguous: a bare number is microseconds; add a unit such as "${text.slice(0, 40)}s"`;
  const unit = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|sec|min|m|h)$/i.exec(text);
  if (unit) return range(Math.round(Number(unit[1]) * units[unit[2].toLowerCase()]), shown);
  const clock = /^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$/.exec(text);
  if (clock) {
    const hours = clock[1] === undefined ? 0 : Number(clock[1]);
    const minutes = Number(clock[2]);
    const seconds = Number(clock[3]);
    if (seconds >= 60) return `the offset ${shown} has ${seconds} seconds (must be below 60)`;
    if (clock[1] !== undefined && minutes >= 60)
      return `the offset ${shown} has ${minutes} minutes (must be below 60 when hours are given)`;
    return range(Math.round(((hours * 60 + minutes) * 60 + seconds) * 1_000_000), shown);
  }
  return `the offset ${shown} is not understood (use microseconds, "62.5s", "1500ms", "1:02.5" or "01:02:03.25")`;
}

/**
 * A recording path on the broker (file or folder), relative to its storage root: at most 4096
 * characters (Linux's PATH_MAX), no control character, no ".." part (it would leave the storage).
 */
export function filePathProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '') return 'is required (e.g. "drive/city-loop.recordingsession.yaml")';
  if (value.length > 4096) return `is ${value.length} characters long (at most 4096)`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains a control character';
  if (value.split(/[/\\]/).includes('..'))
    return `must not contain ".." (it would leave the broker's storage)`;
  return null;
}

/** A namespace or signal name from a signal database: text of at most 512 characters, no control character. */
export function signalNameProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'is empty';
  if (value.length > 512) return `is ${value.length} characters long (at most 512)`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains a control character';
  return null;
}

/**
 * A subscription's signal names: one per line or separated by commas (or a list), at least one
 * and at most 5000 different names, each a signal name as `signalNameProblem` has it.
 */
export function signalNamesProblem(value: unknown): string | null {
  const list = Array.isArray(value) ? value : String(value ?? '').split(/[\n,]/);
  const names = [...new Set(list.map((s) => String(s).trim()).filter((s) => s !== ''))];
  if (names.length === 0) return 'choose at least one signal';
  if (names.length > 5000) return `${names.length} signals are more than 5000`;
  for (const name of names) {
    // The signal name rule, as signalNameProblem has it (a rule can not call another).
    if (name.length > 512) return `a signal name is ${name.length} characters long (at most 512)`;
    if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'a signal name contains a control character';
  }
  return null;
}

/** An API key or access token sent in a header or as gRPC metadata: printable ASCII without spaces. */
export function apiKeyProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  if (text === '') return 'is empty';
  return /^[\x21-\x7e]+$/.test(text)
    ? null
    : 'may only contain printable ASCII characters without spaces or line breaks';
}

/**
 * What a schedule name may be. A name is plain text that people read in replies, status lines and
 * the editor, and that flows match on: letters, marks, digits, punctuation, symbols and spaces of any
 * script (Unicode L, M, N, P, S, Zs), 1–100 characters, no space at either end. Control and format
 * characters (NUL, ESC, bidi overrides, zero-width joiners, line separators …) are refused: they
 * hide or rewrite what a name shows. `*` alone is not a name: it reads as "every schedule". Removing
 * every added schedule is its own form, `{command: "remove", all: true}`.
 */
export function scheduleNameProblem(name: unknown): string | null {
  const max = 100;
  const rule = `1–${max} letters, digits, spaces or punctuation, no control characters, not "*"`;
  if (typeof name !== 'string' || name === '') return `a schedule needs a name (${rule})`;
  if (name === '*')
    return '"*" is not a schedule name; to remove every added schedule send {command: "remove", all: true}';
  if ([...name].length > max) return `a schedule name is at most ${max} characters`;
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u.test(name))
    return `a schedule name must not contain control or format characters (${rule})`;
  if (/^\p{Zs}|\p{Zs}$/u.test(name)) return 'a schedule name must not start or end with a space';
  return null;
}

/**
 * An MQTT topic a node publishes to and matches exactly (a leader topic): 1–1000 characters, no
 * wildcard (`+`, `#`), no NUL or other control character, not starting with `$` (the broker's own).
 */
export function mqttTopicProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  if (text === '') return 'an MQTT topic is needed, e.g. recorders/rigs/rig-1/leader/recording';
  if (text.length > 1000) return 'an MQTT topic here is at most 1000 characters';
  if (/[+#]/.test(text)) return 'a topic to publish to: no wildcards (+ or #)';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return 'an MQTT topic must not contain control characters';
  if (text.startsWith('$')) return 'topics starting with $ belong to the broker';
  if (text.trim() !== text) return 'an MQTT topic here must not start or end with a space';
  return null;
}

/**
 * What names one Node-RED instance among those running the same flow (a leadership record's
 * `leader`): 1–100 letters, digits and `.`, `_`, `-`, `:`, `@`.
 */
export function instanceIdProblem(value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  if (text === '') return 'an instance id is needed, e.g. rig-1-a';
  if (text.length > 100) return 'an instance id is at most 100 characters';
  if (!/^[A-Za-z0-9._:@-]+$/.test(text))
    return 'an instance id is letters, digits and . _ - : @ (no spaces), e.g. rig-1-a';
  return null;
}
