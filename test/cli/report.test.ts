import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import { parseSnapshotText } from '../../lambdas/core/fleet/snapshot';
import { runCli } from '../support/cli';
import { fleet, instance } from '../support/fleet';

const DEMO = 'examples/demo-fleet.json';
const tempDir = () => mkdtempSync(join(tmpdir(), 'replguard-report-cli-'));

describe('replguard report --format markdown', () => {
  it('writes a Mermaid graph with one link per replication link, from source to replica', async () => {
    // Prepare
    const out = join(tempDir(), 'review.md');
    const expected = evaluate(parseSnapshotText(readFileSync(DEMO, 'utf8')), { config: DEFAULT_CONFIG }).replicas.map(
      (r) => `${r.sourceRegion}/${r.sourceId} -> ${r.region}/${r.id}`,
    );

    // Act
    const result = await runCli(['report', '--snapshot', DEMO, '--format', 'markdown', '--out', out]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Wrote .*review\.md \(markdown/);
    const text = readFileSync(out, 'utf8');
    const mermaid = /```mermaid\n([\s\S]*?)\n```/.exec(text)![1]!;
    // Node ids to region/identifier, through the subgraph each node is declared in.
    const names = new Map<string, string>();
    let region = '';
    for (const line of mermaid.split('\n')) {
      const sub = /^ {2}subgraph r\d+\["(.+)"\]$/.exec(line);
      if (sub) region = sub[1]!;
      const node = /^\s+(n\d+)\["([^"<]+)<br\/>/.exec(line);
      if (node) names.set(node[1]!, `${region}/${node[2]}`);
    }
    const links = [...mermaid.matchAll(/^\s+(n\d+) -->\|"[^"]*"\| (n\d+)$/gm)].map((m) => `${names.get(m[1]!)} -> ${names.get(m[2]!)}`);
    expect(links.sort()).toEqual(expected.sort());
    expect(text).toContain('## Are we safe?\n\n**No.**');
    expect(text).toContain('| billing-mariadb | us-east-1 | **NOT READY** |');
  });
});

describe('replguard report bad input', () => {
  it('refuses an output folder that does not exist before reading anything', async () => {
    // Act: the snapshot does not exist either, so reading it first would report that instead.
    const result = await runCli(['report', '--snapshot', 'missing.json', '--out', '/nonexistent-folder/report.html']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out /nonexistent-folder/report.html: the folder /nonexistent-folder does not exist');
    expect(result.stderr).not.toMatch(/missing\.json|\n\s+at /);
  });

  it('refuses an output path under a file, and an output path that is a folder', async () => {
    // Prepare
    const dir = tempDir();
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');

    // Act
    const underFile = await runCli(['report', '--snapshot', DEMO, '--out', join(file, 'report.html')]);
    const folder = await runCli(['report', '--snapshot', DEMO, '--out', dir]);

    // Assess
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain(`${file} is not a folder`);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`--out ${dir} is a folder: name a file`);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a folder it may not write in', async () => {
    // Prepare
    const dir = tempDir();
    chmodSync(dir, 0o555);

    // Act
    const result = await runCli(['report', '--snapshot', DEMO, '--out', join(dir, 'report.html')]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('permission denied');
  });

  it('says a snapshot without replicas has nothing to review', async () => {
    // Prepare
    const dir = tempDir();
    const input = join(dir, 'standalone.json');
    writeFileSync(input, JSON.stringify(fleet({ 'us-east-1': { dbInstances: [instance('lonely-db')] } })));

    // Act
    const result = await runCli(['report', '--snapshot', input, '--out', join(dir, 'report.html')]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The snapshot ${input} has no replicas`);
    expect(result.stderr).toContain('there is no replication to review');
  });

  it('names the flag when the format is unknown', async () => {
    // Act
    const result = await runCli(['report', '--snapshot', DEMO, '--format', 'pdf']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format must be "html" or "markdown" (got "pdf")');
  });
});
