/** Naming NaN and infinite numbers where a learner must find them: in weights, in a snapshot file. */

/** "conv1/kernel (all 500 values)" or "(3 of 500 values)" if `values` holds NaN or infinite numbers; else undefined. */
export function describeNonFinite(name: string, values: Float32Array): string | undefined {
  let bad = 0;
  for (const v of values) if (!Number.isFinite(v)) bad++;
  if (bad === 0) return undefined;
  const count = (n: number) => n.toLocaleString("en-US");
  return `${name} (${bad === values.length ? "all" : `${count(bad)} of`} ${count(values.length)} values)`;
}

/** The first few of `names`, and how many more. */
export function firstFew(names: string[], shown = 4): string {
  return names.slice(0, shown).join(", ") + (names.length > shown ? `, and ${names.length - shown} more` : "");
}
