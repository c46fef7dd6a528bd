// npm scripts must run on the Node that Buildroot ships (nodejs 22.22.0).
// The devDependency node@22.22.0 puts that binary first on PATH inside npm
// scripts; this check makes a wrong PATH fail loudly instead of silently
// testing on the machine's own Node.
const required = '22.22.0';
const actual = process.versions.node;
if (actual !== required) {
  console.error(
    `tandem: npm scripts need Node ${required} (Buildroot's nodejs), but this is Node ${actual}.`,
  );
  console.error(
    'Run `npm ci` so that node_modules/.bin/node (the node@22.22.0 devDependency) comes first on PATH.',
  );
  process.exit(1);
}
console.log(`node ${actual} ok`);
