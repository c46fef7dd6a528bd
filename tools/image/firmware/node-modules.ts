// The production node_modules: the packages npm itself lists without the
// devDependencies, copied as installed (no npm on the box, nor at Buildroot
// time). Native addons are kept for the image's CPU only where a package
// ships several.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BuildError, exec } from './exec.ts';

export type Arch = 'x64' | 'arm64';

/** This machine's Arch, for a tree built to run here (the benches). */
export function hostArch(): Arch {
  if (process.arch === 'x64' || process.arch === 'arm64') return process.arch;
  throw new BuildError(`no firmware build for ${process.arch} (x64 or arm64)`);
}

/** Copies the production packages of `repo` into `appDir`/node_modules. */
export async function copyProductionModules(repo: string, appDir: string, arch: Arch): Promise<number> {
  const listed = await exec('npm', ['ls', '--omit=dev', '--all', '--parseable'], repo);
  const dirs = listed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== repo)
    .map((l) => relative(repo, l));
  for (const dir of dirs) {
    if (!dir.startsWith(`node_modules${sep}`))
      throw new BuildError(`npm listed a package outside node_modules: ${dir}`);
    // A nested node_modules holds packages npm lists on their own lines; any
    // other there (a dev tool's) stays out.
    cpSync(join(repo, dir), join(appDir, dir), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !relative(join(repo, dir), src).split(sep).includes('node_modules'),
    });
  }
  keepPrebuildsFor(join(appDir, 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds'), arch);
  // koffi installs its binary as one optional package per platform: npm
  // installed the build machine's, so the image's must be there too.
  const koffiDir = join(appDir, 'node_modules', '@koromix');
  const koffi = `koffi-linux-${arch}`;
  if (!existsSync(join(koffiDir, koffi)) && existsSync(join(repo, 'node_modules', '@koromix', koffi))) {
    cpSync(join(repo, 'node_modules', '@koromix', koffi), join(koffiDir, koffi), { recursive: true });
  }
  if (!existsSync(join(koffiDir, koffi))) {
    throw new BuildError(
      `koffi has no linux-${arch} binary in node_modules; install it first (npm install --no-save --cpu=${arch} --os=linux @koromix/${koffi})`,
    );
  }
  for (const name of readdirSync(koffiDir)) {
    if (name.startsWith('koffi-') && name !== koffi)
      rmSync(join(koffiDir, name), { recursive: true, force: true });
  }
  return dirs.length;
}

/** serialport's prebuilt addons: only linux-ARCH's folder stays. */
function keepPrebuildsFor(dir: string, arch: Arch): void {
  if (!existsSync(dir)) return;
  const keep = `linux-${arch}`;
  if (!existsSync(join(dir, keep))) throw new BuildError(`${dir} has no ${keep} prebuild`);
  for (const name of readdirSync(dir)) {
    if (name !== keep) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
