/** The kernel_info_reply content: who we are and what language we speak. */
import { pathToFileURL } from "node:url";
import path from "node:path";
import { PROTOCOL_VERSION } from "./wire/message";
import { packageRoot, packageVersion } from "./package-root";

export function kernelInfo(extraBannerLines: string[] = []): Record<string, unknown> {
  const tsVersion = (require("@tslab/typescript-for-tslab/package.json") as { version: string }).version;
  const tslabVersion = (require("tslab/package.json") as { version: string }).version;
  const version = packageVersion();
  const root = packageRoot();
  const banner = [
    `convlab ${version}: TypeScript ${tsVersion} (tslab ${tslabVersion} engine) on Node.js ${process.versions.node}`,
    ...extraBannerLines,
    'Import the teaching library with `import * as cl from "convlab"`; `name?` shows documentation.',
  ].join("\n");
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "convlab",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { name: "javascript", typescript: true },
      pygments_lexer: "typescript",
      nbconvert_exporter: "script",
    },
    banner,
    debugger: false,
    help_links: [
      { text: "convlab lessons", url: pathToFileURL(path.join(root, "lessons")).href },
      { text: "convlab README", url: pathToFileURL(path.join(root, "README.md")).href },
      { text: "TensorFlow.js API", url: "https://js.tensorflow.org/api/4.22.0/" },
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Vega-Lite documentation", url: "https://vega.github.io/vega-lite-v5/docs/" },
    ],
  };
}
