// The firmware's package.json on the box: what Node needs to load it as ES
// modules (type), what `tandemctl status` shows as the version, and the
// dependencies node_modules was made from. Nothing of the build (scripts,
// devDependencies, the .ts bin).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface RepoPackage {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** `version` overrides the repository's (a test's N+1 build); it must look like one. */
export function writePackageJson(repo: string, appDir: string, version?: string): string {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as RepoPackage;
  const shipped = {
    name: pkg.name,
    version: version ?? pkg.version,
    private: true,
    type: 'module',
    dependencies: pkg.dependencies ?? {},
  };
  writeFileSync(join(appDir, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
  return shipped.version;
}
