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
