/**
 * `npm run bench -- <name>` takes only the options a benchmark declares:
 * `--help` lists them, and a misspelt one stops the run before it starts
 * (a benchmark can take many minutes with its defaults).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { numberFlag, OptionError, parseFlags, readOptions, usage } from "../../bench/support/options";

const RUN = join(__dirname, "..", "..", "bench", "run.js");
const bench = (...args: string[]) => spawnSync(process.execPath, [RUN, ...args], { encoding: "utf8", timeout: 60_000 });

describe("benchmark options", function () {
  const options = { rounds: "N: rounds (default 3)", "no-peer": "skip PyTorch" };

  it("reads --name value, --name=value and bare switches", function () {
    const flags = parseFlags(["--rounds", "5", "--models=lenet", "--no-peer"]);
    assert.deepEqual([...flags], [["rounds", "5"], ["models", "lenet"], ["no-peer", true]]);
  });

  it("names an unknown option and lists the declared ones, as an OptionError", function () {
    assert.deepEqual([...readOptions("cnn", ["--rounds", "5", "--no-peer"], options)], [["rounds", "5"], ["no-peer", true]]);
    const refused = (message: RegExp) => (e: unknown) => e instanceof OptionError && message.test(e.message);
    assert.throws(() => readOptions("cnn", ["--round", "5"], options), refused(/cnn has no option --round\. Its options: --rounds, --no-peer/));
    assert.throws(() => readOptions("cnn", ["60"], options), refused(/Unexpected argument "60"/));
  });

  it("refuses a number option that is not a positive number, as an OptionError", function () {
    assert.throws(() => numberFlag(parseFlags(["--rounds", "abc"]), "rounds", 3), (e: unknown) => e instanceof OptionError && /--rounds needs a positive number, got abc/.test(e.message));
    assert.equal(numberFlag(parseFlags([]), "rounds", 3), 3);
  });

  it("prints every option's help line", function () {
    const text = usage("cnn", "what it measures", options);
    assert.match(text, /^npm run bench -- cnn \[options\]$/m);
    assert.match(text, /--rounds\s+N: rounds \(default 3\)/);
    assert.match(text, /--no-peer\s+skip PyTorch/);
  });

  it("npm run bench -- <name> --help prints the options without running; a typo exits with 2 before running", function () {
    const help = bench("simd-module", "--help");
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^npm run bench -- simd-module$/m);
    assert.doesNotMatch(help.stdout, /sha256"/, "--help ran the benchmark");
    const typo = bench("simd-module", "--rounds", "2");
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /simd-module has no option --rounds\. It takes no options/);
    assert.equal(typo.stdout, "");
  });
});
