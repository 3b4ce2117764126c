/**
 * What `segnet` does with an ONNX network's output, from
 * dusty-nv/jetson-inference at commit 45da40a8 (each rule cites its lines).
 * Its preprocessing is SEGNET_PREPROCESSING in preprocess.ts.
 */

/** SEGNET_DEFAULT_INPUT and SEGNET_DEFAULT_OUTPUT (c/segNet.h, lines 34 and 40). */
export const SEGNET_BLOBS = { input: "input_0", output: "output_0" } as const;

/**
 * segNet::classify (c/segNet.cpp, lines 575-629): the output is read as
 * C planes of H' × W' scores (the ONNX shape [1, C, H', W'] without its batch
 * dimension); each cell gets the first class with the highest score, skipping
 * the class `ignore` (segNet::Process ignores the class labelled "void",
 * c/segNet.h line 185; -1 when there is none). Returns the H' × W' class map.
 */
export function segnetClassify(scores: ArrayLike<number>, classes: number, rows: number, columns: number, ignore = -1): Uint8Array {
  const plane = rows * columns;
  const out = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    let best = -1;
    let bestScore = -100000;
    for (let c = 0; c < classes; c++) {
      if (c === ignore) continue;
      const p = scores[c * plane + i];
      if (best < 0 || p > bestScore) {
        bestScore = p;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * colors.txt with one "r g b" line per class (tensorNet::LoadClassColors,
 * c/tensorNet.cpp lines 2109-2127, reads "%f %f %f %f", alpha optional).
 */
export function colorsTxt(colors: readonly string[]): string {
  return (
    colors
      .map((hex) => {
        const n = parseInt(hex.replace("#", ""), 16);
        return `${(n >> 16) & 255} ${(n >> 8) & 255} ${n & 255}`;
      })
      .join("\n") + "\n"
  );
}
