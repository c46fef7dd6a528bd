// The layering of docs/ARCHITECTURE.md, checked on every `npm test`
// (`npm run layering`). Read from the bottom up:
//
//   hal/       device contracts and drivers: knows nothing of the firmware
//   firmware/  the controller: uses hal/, never the tools or the tests
//   tools/     the lab, diagnostics, benchmarks: may use firmware/ and hal/
//   test/      may use everything
//
// and nothing anywhere imports itself back, neither a module nor a folder.
// `import type` counts: a type-only import still ties the two modules together.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'hal-is-the-bottom',
      comment:
        'hal/ is the hardware layer under the firmware: it must not import from firmware/, tools/ or test/. ' +
        'Move what it needs down into hal/ (or pass it in from above).',
      severity: 'error',
      from: { path: '^hal/' },
      to: { path: '^(firmware|tools|test)/' },
    },
    {
      name: 'firmware-ships-alone',
      comment:
        'firmware/ is what the box runs: it must not import from tools/ or test/, which are not in the image. ' +
        'Move the shared piece into firmware/ (or hal/).',
      severity: 'error',
      from: { path: '^firmware/' },
      to: { path: '^(tools|test)/' },
    },
    {
      name: 'no-module-cycles',
      comment:
        'An import cycle between modules (firmware, hal, tools or test). Break it by moving the shared piece ' +
        'to the module where it belongs, below both.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'Two folders that import each other (e.g. firmware/a imports firmware/b and firmware/b imports ' +
        'firmware/a), even when no single module cycle does. One of them has a piece that belongs elsewhere.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'resolvable',
      comment:
        'An import this check cannot resolve is an edge it cannot check: fix the path (with its .ts ' +
        'extension) or add the package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Check our imports, not the packages' own.
    doNotFollow: { path: 'node_modules' },
    // Keep `import type` edges (type stripping erases them, the design does not).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages as Node and tsc do: through their "exports", including "types"-only ones.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
