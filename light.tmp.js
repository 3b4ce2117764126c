process.chdir('/work/main');
const realTs = require('@tslab/typescript-for-tslab');
const ts = Object.create(null);
for (const k of Object.keys(realTs)) Object.defineProperty(ts, k, { get: () => realTs[k], enumerable: true, configurable: true });
const origCreate = realTs.createWatchCompilerHost;
Object.defineProperty(ts, 'createWatchCompilerHost', { value: function (...args) {
  const host = origCreate.apply(this, args);
  host.createProgram = (rootNames, options, compilerHost, oldBuilder, configDiags, projectReferences) => {
    const program = realTs.createProgram({ rootNames, options, host: compilerHost, oldProgram: oldBuilder && oldBuilder.getProgram(), configFileParsingDiagnostics: configDiags, projectReferences }); program.getTypeChecker();
    return {
      getProgram: () => program,
      getProgramOrUndefined: () => program,
      releaseProgram() {},
      getCompilerOptions: () => program.getCompilerOptions(),
      getSourceFile: (f) => program.getSourceFile(f),
      getCurrentDirectory: () => program.getCurrentDirectory(),
      emit: (sf, wf, ct, dts, tr) => program.emit(sf, wf, ct, dts, tr),
      getAllDependencies: (sf) => program.getSourceFiles().filter(f => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f)).map(f => f.fileName),
    };
  };
  return host;
}, enumerable: true });
require.cache[require.resolve('@tslab/typescript-for-tslab')].exports = ts;
const t0 = Date.now();
const { createConverter } = require('tslab/dist/converter');
const { createExecutor } = require('tslab/dist/executor');
const conv = createConverter({});
console.log('createConverter', Date.now() - t0);
const convs = { node: conv, browser: conv, close() { conv.close(); } };
const ex = createExecutor(process.cwd(), convs, { log: (v) => console.log('=>', v), error: (...a) => console.log('ERR', ...a) });
const inspector = require("inspector"); const sess = new inspector.Session(); sess.connect(); const post = (m, p) => new Promise((res, rej) => sess.post(m, p, (e, r) => e ? rej(e) : res(r)));
(async () => {
  for (const src of ['1+1', 'let a = 2; a', 'import * as tf from "@tensorflow/tfjs"', 'tf.version_core', '1+1', '2+1', 'a*3', 'const b = [1,2,3]; b.length', '1+2', 'let c: number = "x"', 'b.map(x => x * a)']) {
    const s = process.hrtime.bigint();
    await ex.execute(src);
    console.log(JSON.stringify(src), Number(process.hrtime.bigint() - s) / 1e6, 'ms');
  }
  await post("Profiler.enable"); await post("Profiler.start"); const t = Date.now();
  for (let i = 0; i < 20; i++) await ex.execute(`${i}+1`);
  console.log("avg", (Date.now() - t) / 20); const { profile } = await post("Profiler.stop"); require("fs").writeFileSync("/tmp/exp/cell2.cpuprofile", JSON.stringify(profile));
  process.exit(0);
})();
