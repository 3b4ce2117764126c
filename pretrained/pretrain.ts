/**
 * `npm run pretrain -- <name>`: trains one pretrained network from its recipe
 * (recipes.ts) and writes pretrained/<name>/ (model.json, weights.bin,
 * card.json, MODEL_CARD.md).
 *
 *     npm run pretrain -- --list            the recipes and what is built
 *     npm run pretrain -- fashion-lenet     rebuild one (minutes; progress printed per epoch)
 *     npm run pretrain -- --verify          check every shipped network against its card
 *
 * Training is deterministic for the recipe's seeds on one backend, so a
 * rebuild on the same backend gives the same weights. CONVLAB_THREADS works
 * as everywhere.
 */
import { readFileSync } from "node:fs";
import { backendInfo, useBackend } from "../lib/backend";
import { listPretrained, savePretrained, verifyPretrained } from "../lib/transfer";
import { findRecipe, RECIPES } from "./recipes";

function usage(): string {
  return [
    "Usage: npm run pretrain -- <name> | --list | --verify",
    "",
    "Recipes:",
    ...RECIPES.map((r) => `  ${r.name.padEnd(20)} ${r.description} (about ${r.expectedMinutes} min on a quiet 2-core machine)`),
  ].join("\n");
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main(args: string[]): Promise<void> {
  const [name] = args;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    if (!name) process.exitCode = 2;
    return;
  }
  if (name === "--list") {
    const built = new Set(listPretrained());
    for (const r of RECIPES) console.log(`${r.name.padEnd(20)} ${built.has(r.name) ? "built  " : "missing"}  ${r.description}`);
    return;
  }
  if (name === "--verify") {
    for (const line of await verifyPretrained()) console.log(line);
    return;
  }
  const recipe = findRecipe(name);
  await useBackend();
  const info = backendInfo();
  const log = (line: string) => console.log(`[${recipe.name}] ${line}`);
  log(`training on ${info.backend}, load average ${loadAverage()}; expect about ${recipe.expectedMinutes} min on a quiet machine`);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const { model, card } = await recipe.run({ log });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const saved = await savePretrained(model, {
    ...card,
    name: recipe.name,
    training: { seconds: Math.round(seconds), cpuSeconds: Math.round(cpuSeconds), backend: info.backend ?? "unknown", threads: info.threads ?? 1, loadAverage: loadAverage(), date: new Date().toISOString().slice(0, 10) },
    rebuild: `npm run pretrain -- ${recipe.name}`,
  });
  model.dispose();
  log(`wrote pretrained/${recipe.name}/ in ${Math.round(seconds)} s`);
  console.log(
    JSON.stringify({
      name: saved.name,
      epochs: saved.epochs,
      bestEpoch: saved.bestEpoch,
      ...Object.fromEntries(Object.entries(saved.metrics).map(([k, m]) => [k, +m.value.toFixed(4)])),
      seconds: saved.training.seconds,
      cpuSeconds: saved.training.cpuSeconds,
      loadAverage: saved.training.loadAverage,
      weightsSha256: saved.files["weights.bin"].sha256,
    }),
  );
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
