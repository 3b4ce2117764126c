// ESLint (flat config) for convlab's TypeScript: the recommended rules of
// ESLint and typescript-eslint, with the few changes this code base's
// conventions need (each says why). `npm run lint` runs it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  // .venv/ is the JupyterLab environment npm start creates: Python packages, not ours.
  { ignores: ["dist/**", "build/**", "node_modules/**", "**/.convlab-cache/**", ".venv/**"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  {
    files: ["**/*.ts"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // The build is CommonJS, and require() is how optional and heavy modules are
      // loaded only when needed (tfjs-node, tslab, generated kernels, benchmarks by name).
      "@typescript-eslint/no-require-imports": "off",
      // Control characters in a pattern are how colour codes (ESC [ … m) are stripped from terminal output.
      "no-control-regex": "off",
      // A leading underscore marks a value left unused on purpose (a destructured field left out).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests read loosely typed JSON (Jupyter replies, child processes' output).
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
