// The lab refuses to start with a clear list of what is missing, and every
// Debian package it names is one that tools/setup.sh installs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatMissing, missingCommands, REQUIRED_COMMANDS } from '../../../tools/lab/preflight.ts';

describe('lab preflight', () => {
  it('names each missing command with the Debian package that provides it', () => {
    const missing = missingCommands({ 'tandem-no-such-tool': 'tandem-pkg', sh: 'dash' }, '/bin:/usr/bin');
    expect(missing).toEqual([{ command: 'tandem-no-such-tool', pkg: 'tandem-pkg' }]);
    const text = formatMissing(missing);
    expect(text).toContain('tandem-no-such-tool');
    expect(text).toContain('Debian package: tandem-pkg');
    expect(text).toContain('tools/setup.sh');
  });

  it('finds an absolute path only when it is executable', () => {
    expect(missingCommands({ '/bin/sh': 'dash', '/nonexistent/tool': 'x' })).toEqual([
      { command: '/nonexistent/tool', pkg: 'x' },
    ]);
  });

  it('tools/setup.sh installs every package the lab asks for', () => {
    const setup = readFileSync(new URL('../../../tools/setup.sh', import.meta.url), 'utf8');
    const listed = /packages=\(([\s\S]*?)\)/.exec(setup)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    expect(listed.length).toBeGreaterThan(5);
    for (const pkg of new Set(Object.values(REQUIRED_COMMANDS))) expect(listed).toContain(pkg);
  });
});
