/**
 * Text that came from AWS (status messages, error text, parameter and tag values, identifiers)
 * put into a line of an email, an SMS or a table. A line break in such text could forge a line of
 * its own ("[RESOLVED] ...", a runbook link); a bidi override could show it reversed; a zero-width
 * character could make two names look alike. Every such character is written as a visible escape
 * (`\n`, `\u202e`), so the value reads as one line, in order, and nothing in it is lost.
 */

// C0 controls (tab, CR and LF included), DEL, C1 controls (NEL included), the Unicode line and
// paragraph separators, bidi embeddings, overrides, isolates and marks, zero-width characters,
// the word joiner and invisible operators, and the byte-order mark.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  return Object.hasOwn(SHORT_ESCAPES, char) ? SHORT_ESCAPES[char]! : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line of visible text: line breaks, control, bidi and zero-width characters escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** True when the text holds nothing that `printable` would change. */
export const isPrintable = (text: string): boolean => !new RegExp(UNSAFE.source).test(text);

/** A UTF-8 byte-order mark that editors on Windows put first; JSON.parse refuses it. */
export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * JSON.parse with an error that says where, never what: V8's message quotes the first bytes of
 * the text, and a path pointed at the wrong file must not print that file into a terminal or log.
 */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  const body = stripBom(text);
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const message = (error as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return { ok: false, error: 'it ends before the JSON does' };
    const at = errorPosition(message, body);
    if (at !== undefined) {
      const before = body.slice(0, at);
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      return { ok: false, error: `syntax error at line ${line}, column ${column}` };
    }
    return { ok: false, error: 'it is not JSON' };
  }
}

/**
 * Where V8's JSON.parse stopped: "at position N", or for an unexpected token, from the excerpt it
 * quotes (10 characters either side, or the whole text when short). Only the position is used.
 */
function errorPosition(message: string, body: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const token = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!token) return undefined;
  const [, char, cut, excerpt] = token;
  if (cut) {
    const start = body.indexOf(excerpt!);
    return start >= 0 ? start + 10 : undefined;
  }
  const index = body.indexOf(char!);
  return index >= 0 ? index : undefined;
}
