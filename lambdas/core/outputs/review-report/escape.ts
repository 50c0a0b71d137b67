/** Escaping for text that came from AWS (identifiers, messages, tag values) or from users. */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in HTML and SVG text and in double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A link target that cannot run script: http(s), mailto and relative links pass, anything with
 * another scheme (javascript:, data:) becomes "#".
 */
export function safeHref(url: string): string {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') return '#';
  return escapeHtml(trimmed);
}

/** Text inside a Markdown table cell: pipes and line breaks would end the cell, HTML would render. */
export function escapeMarkdownCell(value: unknown): string {
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[<>&`*_[\]]/g, (c) => `\\${c}`);
}

/** A label inside a Mermaid quoted string: quotes and markup become entity codes Mermaid understands. */
export function escapeMermaidLabel(value: unknown): string {
  return String(value)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[#"<>&`|{}[\]()]/g, (c) => `#${c.charCodeAt(0)};`);
}
