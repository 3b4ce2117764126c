/** Value formats for check messages (numbers and percents: lib/display/html). */

/** What a value is, for "expected a network, got …" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  }
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 30 ? value.slice(0, 30) + "…" : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/** "1 and 2", "1, 2 and 3". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "first", "second", … for layer positions. */
export function ordinal(n: number): string {
  const words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
  return words[n - 1] ?? `${n}th`;
}
