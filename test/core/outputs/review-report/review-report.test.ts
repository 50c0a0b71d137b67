import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import { escapeHtml, escapeMarkdownCell, escapeMermaidLabel, safeHref } from '../../../../lambdas/core/outputs/review-report/escape';
import { buildReviewModel, renderReviewReport } from '../../../../lambdas/core/outputs/review-report';
import { fleet, instance, lag, replica } from '../../../support/fleet';

const modelOf = (snapshot: FleetSnapshot) =>
  buildReviewModel({ snapshot, config: DEFAULT_CONFIG, report: evaluate(snapshot, { config: DEFAULT_CONFIG }), source: 'test' });

const healthy = () =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('orders'), replica('orders-ro', 'orders')],
      metrics: [lag('orders-ro', [1, 2, 1, 0, 1])],
    },
  });

describe('review model', () => {
  it('answers "yes" for a fleet that replicates, with the lag series of the window', () => {
    // Act
    const model = modelOf(healthy());

    // Assess
    expect(model.verdict).toBe('safe');
    expect(model.nodes.map((n) => n.key)).toEqual(['us-east-1/orders', 'us-east-1/orders-ro']);
    expect(model.edges).toEqual([expect.objectContaining({ from: 'us-east-1/orders', to: 'us-east-1/orders-ro', status: 'healthy', lagSeconds: 1 })]);
    expect(model.replicas[0]!.lagSeries.map((p) => p.seconds)).toEqual([1, 2, 1, 0, 1]);
  });

  it('answers "no" when replication stopped, and "not known" when lag is missing', () => {
    // Prepare
    const broken = healthy();
    const stopped = fleet({
      'us-east-1': { ...broken.regions['us-east-1'], metrics: [lag('orders-ro', [-1, -1, -1, -1, -1])] },
    });
    const silent = fleet({ 'us-east-1': { ...broken.regions['us-east-1'], metrics: [] } });

    // Act / Assess
    expect(modelOf(stopped).verdict).toBe('not-safe');
    expect(modelOf(stopped).edges[0]!.status).toBe('broken');
    expect(modelOf(silent).verdict).toBe('unknown');
    expect(modelOf(silent).reasons).toContain('1 replica(s) in an unknown state');
  });

  it('draws a source in a region that was not read as a node of its own', () => {
    // Prepare
    const snapshot = fleet({
      'eu-west-1': {
        dbInstances: [replica('orders-dr', 'arn:aws:rds:us-east-1:123456789012:db:orders')],
        metrics: [lag('orders-dr', [1, 1, 1, 1, 1])],
      },
    });

    // Act
    const model = modelOf(snapshot);

    // Assess
    expect(model.nodes.find((n) => n.key === 'us-east-1/orders')).toEqual(expect.objectContaining({ type: 'unread', detail: 'not read' }));
    expect(model.edges[0]).toEqual(expect.objectContaining({ crossRegion: true }));
  });
});

describe('escaping', () => {
  it('turns markup into text in HTML, Markdown cells and Mermaid labels', () => {
    const hostile = `<script>alert("x")</script>|'&`;
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;|&#39;&amp;');
    expect(escapeMarkdownCell(hostile)).not.toMatch(/(?<!\\)[<|]/);
    expect(escapeMermaidLabel('a"b<c>')).toBe('a#34;b#60;c#62;');
  });

  it('keeps only links that cannot run script', () => {
    expect(safeHref('javascript:alert(1)')).toBe('#');
    expect(safeHref(' JavaScript:alert(1)')).toBe('#');
    expect(safeHref('data:text/html,x')).toBe('#');
    expect(safeHref('https://wiki.example.com/runbook#replication_broken')).toBe('https://wiki.example.com/runbook#replication_broken');
    expect(safeHref('docs/runbook.md#a"b')).toBe('docs/runbook.md#a&quot;b');
  });

  it('writes hostile identifiers and messages as text in the HTML page', async () => {
    // Prepare
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders'),
          replica('<img src=x onerror=alert(1)>', 'orders', {
            StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: '</script><b>boom</b>' }],
          }),
        ],
      },
    });

    // Act
    const html = await renderReviewReport({ snapshot, config: DEFAULT_CONFIG, report: evaluate(snapshot, { config: DEFAULT_CONFIG }), source: 'x', format: 'html' });

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>boom');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;boom&lt;/b&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});
