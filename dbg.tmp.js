const realTs = require('@tslab/typescript-for-tslab');
const ts = Object.create(null);
for (const k of Object.keys(realTs)) Object.defineProperty(ts, k, { get: () => realTs[k], enumerable: true, configurable: true });
const light = process.argv[2] === 'light';
Object.defineProperty(ts, 'createWatchCompilerHost', { value: function (...args) {
  const host = realTs.createWatchCompilerHost(...args);
  if (light) host.createProgram = (rootNames, options, compilerHost, oldBuilder, configDiags, projectReferences) => {
    const program = realTs.createProgram({ rootNames, options, host: compilerHost, oldProgram: oldBuilder && oldBuilder.getProgram(), configFileParsingDiagnostics: configDiags, projectReferences }); program.getTypeChecker();
    return {
      getProgram: () => program, getProgramOrUndefined: () => program, releaseProgram() {},
      getCompilerOptions: () => program.getCompilerOptions(), getSourceFile: (f) => program.getSourceFile(f),
      getCurrentDirectory: () => program.getCurrentDirectory(),
      emit: (sf, wf, ct, dts, tr) => program.emit(sf, wf, ct, dts, tr),
      getAllDependencies: (sf) => program.getSourceFiles().filter(f => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f)).map(f => f.fileName),
    };
  };
  return host;
}, enumerable: true });
require.cache[require.resolve('@tslab/typescript-for-tslab')].exports = ts;
const { createConverter } = require('tslab/dist/converter');
const conv = createConverter({});
let r = conv.convert('', 'let a = 2; a');
console.log(JSON.stringify(r, null, 1));
r = conv.convert(r.declOutput, 'a*3');
console.log(JSON.stringify(r.diagnostics), r.output);
process.exit(0);
