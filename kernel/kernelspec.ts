/**
 * Registering the kernel with Jupyter: a kernelspec folder (kernel.json and
 * logos) in the user's, the Python environment's, or a given prefix's
 * `share/jupyter/kernels`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { packageRoot } from "./package-root";

export const KERNEL_NAME = "convlab";
export const DISPLAY_NAME = "TypeScript (convlab)";

export type SpecLocation = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string };

export function kernelsDir(location: SpecLocation): string {
  switch (location.kind) {
    case "user":
      return path.join(jupyterDataDir(), "kernels");
    case "sys-prefix":
      return path.join(pythonSysPrefix(), "share", "jupyter", "kernels");
    case "prefix":
      return path.join(path.resolve(location.dir), "share", "jupyter", "kernels");
  }
}

/** Jupyter's per-user data directory, as jupyter_core computes it. */
export function jupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? homedir(), "jupyter");
  return path.join(process.env.XDG_DATA_HOME || path.join(homedir(), ".local", "share"), "jupyter");
}

function pythonSysPrefix(): string {
  for (const python of ["python3", "python"]) {
    try {
      return execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error("--sys-prefix needs Python (python3) on the PATH to find sys.prefix. Use --user or --prefix DIR instead.");
}

/** The kernel.json content. argv uses absolute paths, so it works whatever the PATH is. */
export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(packageRoot(), "dist", "cli", "main.js"), "kernel", "-f", "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    env: {},
    metadata: { debugger: false, convlab: { root: packageRoot() } },
  };
}

export async function installKernelSpec(location: SpecLocation): Promise<string> {
  const dir = path.join(kernelsDir(location), KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  const sharp = (await import("sharp")).default;
  for (const size of [32, 64]) {
    await sharp(Buffer.from(LOGO_SVG), { density: 72 * (size / 64) * 4 })
      .resize(size, size)
      .png()
      .toFile(path.join(dir, `logo-${size}x${size}.png`));
  }
  writeFileSync(path.join(dir, "logo-svg.svg"), LOGO_SVG);
  return dir;
}

export function uninstallKernelSpec(location: SpecLocation): string | null {
  const dir = path.join(kernelsDir(location), KERNEL_NAME);
  if (!existsSync(dir)) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** A 3×3 convolution kernel on TypeScript blue. */
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="10" fill="#3178c6"/>
  ${[0.95, 0.45, 0.75, 0.3, 1, 0.55, 0.8, 0.4, 0.9]
    .map((o, i) => `<rect x="${9 + (i % 3) * 16}" y="${9 + Math.floor(i / 3) * 16}" width="14" height="14" rx="2" fill="#fff" fill-opacity="${o}"/>`)
    .join("\n  ")}
</svg>
`;
