/**
 * Conv2DBackpropInput for the wasm backend, replacing its direct loop.
 *
 * Two ways, both on XNNPACK, chosen by which does less work:
 * - "full convolution": the convolution of dy (with zeros inserted between
 *   rows and columns when the forward stride is above 1, and padded by the
 *   filter size less the forward padding) with the filter flipped in space
 *   and its in/out channels swapped. One GEMM, but over the padded input's
 *   size, so it wastes work when dy is much smaller than x (valid padding,
 *   strides).
 * - "columns": the matrix product dy · Wᵀ gives, for every output position,
 *   its contribution to each input position under the filter (as the forward
 *   pass's im2col columns); a single pass on the wasm heap adds those columns
 *   back into place (col2im). The GEMM has exactly the forward pass's size.
 */
import * as tf from "@tensorflow/tfjs";
import { batchMatMul } from "./batch-mat-mul";
import { windowCorners } from "./conv2d";
import { WasmBackend, channelsLastConvInfo, heapF32, call, conv2d, explicitPadding, release, requireChannelsLast, reshape, transpose, KernelArgs, wasmKernel } from "./kernel-calls";
import { Job, kernelThreads, parallelWork, runChunks, splitOnThreads } from "./simd/parallel";
import { addressOf, evenRows, releaseRows, simdKernels } from "./simd/runtime";
import { winogradApplies, winogradConv2DBackpropInput } from "./winograd";

/** dy with (stride - 1) zeros after every row and column: [N, OH*sh, OW*sw, C]. */
function insertZeros(backend: WasmBackend, dy: tf.TensorInfo, strideHeight: number, strideWidth: number): tf.TensorInfo {
  const [n, h, w, c] = dy.shape;
  const spread = reshape(backend, dy, [n, h, 1, w, 1, c]);
  const padded = call(tf.PadV2, backend, { x: spread }, {
    paddings: [
      [0, 0],
      [0, 0],
      [0, strideHeight - 1],
      [0, 0],
      [0, strideWidth - 1],
      [0, 0],
    ],
    constantValue: 0,
  });
  release(backend, spread);
  padded.shape = [n, h * strideHeight, w * strideWidth, c];
  return padded;
}

/**
 * Which way to compute ("auto": the SIMD way when the generated kernels are
 * available, else whichever of the other two does less work), the
 * largest im2col matrix (in floats) built at once by the columns way (bigger
 * batches go in chunks), and how many bytes of dy and dx the SIMD way takes
 * at a time. Tests and benchmarks change these.
 */
export const conv2DBackpropInputMethod: {
  use: "auto" | "simd" | "columns" | "full";
  maxColumnFloats: number;
  simdChunkBytes: number;
} = {
  use: "auto",
  maxColumnFloats: 1 << 23,
  simdChunkBytes: 48 * 1024,
};

/**
 * col2im: adds each output position's column (its contributions to the
 * input positions under its window, [kh][kw][ci]), for `images` images from
 * `first`, into dx.
 */
function addColumns(col: Float32Array, out: Float32Array, first: number, images: number, info: tf.backend_util.Conv2DInfo): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const imageSize = inHeight * inWidth * inChannels;
  const rowStride = inWidth * inChannels;
  let at = 0;
  for (let n = first; n < first + images; n++) {
    const image = n * imageSize;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight) {
            at += filterWidth * inChannels;
            continue;
          }
          for (let kw = 0; kw < filterWidth; kw++, at += inChannels) {
            const w = w0 + kw;
            if (w < 0 || w >= inWidth) continue;
            const to = image + h * rowStride + w * inChannels;
            for (let c = 0; c < inChannels; c++) out[to + c] += col[at + c];
          }
        }
      }
    }
  }
}

/** The columns way: dx = col2im(dy · Wᵀ), in batch chunks that bound the memory used. */
function byColumns(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const columnLength = filterHeight * filterWidth * inChannels;
  const positionsPerImage = outHeight * outWidth;
  const imagesPerChunk = Math.max(1, Math.min(batchSize, Math.floor(conv2DBackpropInputMethod.maxColumnFloats / (positionsPerImage * columnLength))));
  const weights = reshape(backend, filter, [columnLength, outChannels]);
  const dx = backend.makeOutput(info.inShape, "float32");
  heapF32(backend, dx).fill(0);

  for (let first = 0; first < batchSize; first += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - first);
    let gradient: tf.TensorInfo;
    if (images === batchSize) {
      gradient = reshape(backend, dy, [batchSize * positionsPerImage, outChannels]);
    } else {
      gradient = backend.makeOutput([images * positionsPerImage, outChannels], "float32");
      const chunkSize = images * positionsPerImage * outChannels;
      heapF32(backend, gradient).set(heapF32(backend, dy).subarray(first * positionsPerImage * outChannels, first * positionsPerImage * outChannels + chunkSize));
    }
    const columns = batchMatMul({
      inputs: { a: gradient, b: weights },
      attrs: { transposeA: false, transposeB: true },
      backend,
    });
    release(backend, gradient);
    // Views made after all allocation (allocation may move the heap).
    addColumns(heapF32(backend, columns), heapF32(backend, dx), first, images, info);
    release(backend, columns);
  }
  release(backend, weights);
  return dx;
}

/**
 * The SIMD way: one product per filter tap. For a tap (kh, kw), every
 * output position's gradient dy[n, oh, ow, :] times the tap's weights adds
 * into one input position, and no two positions into the same one, so the
 * generated product (./simd/gemm) can add straight into dx (or into a padded
 * copy when the forward pass padded). Exactly the forward pass's
 * multiply-adds, no col2im pass, no zeros inserted for strides. A few images
 * at a time, all taps, so their dy and dx stay in cache.
 */
function bySimdTaps(
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const height = Math.max(padInfo.top + inHeight, (outHeight - 1) * strideHeight + filterHeight);
  const width = Math.max(padInfo.left + inWidth, (outWidth - 1) * strideWidth + filterWidth);
  const padded = height !== inHeight || width !== inWidth;
  const weights = transpose(backend, filter, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  const target = backend.makeOutput([batchSize, height, width, inChannels], "float32");
  heapF32(backend, target).fill(0);
  const imageBytes = 4 * height * width * inChannels;
  const gradientBytes = 4 * outHeight * outWidth * outChannels;
  const perCall = Math.max(1, Math.min(batchSize, Math.floor(conv2DBackpropInputMethod.simdChunkBytes / (imageBytes + gradientBytes))));
  const positions = perCall * outHeight * outWidth;
  const gradientRows = evenRows(backend, positions, 4 * outChannels);
  const targetRows = windowCorners(backend, positions, info, height, width);
  const dyAt = addressOf(backend, dy);
  const targetAt = addressOf(backend, target);
  const weightsAt = addressOf(backend, weights);
  const gradientRowsAt = addressOf(backend, gradientRows);
  const targetRowsAt = addressOf(backend, targetRows);
  // Different images never add into the same place: the threads split the batch.
  const work = batchSize * outHeight * outWidth * filterHeight * filterWidth * outChannels * inChannels;
  splitOnThreads(backend, batchSize, 1, work, (firstImage, images) => {
    const job: Job = [];
    for (let first = firstImage; first < firstImage + images; first += perCall) {
      const count = Math.min(perCall, firstImage + images - first);
      for (let kh = 0; kh < filterHeight; kh++) {
        for (let kw = 0; kw < filterWidth; kw++) {
          job.push([
            "gemm",
            count * outHeight * outWidth,
            inChannels,
            gradientRowsAt,
            dyAt + first * gradientBytes,
            targetRowsAt,
            targetAt + first * imageBytes + 4 * (kh * width + kw) * inChannels,
            1,
            weightsAt + 4 * (kh * filterWidth + kw) * outChannels * inChannels,
            1, 0, 0,
            1, 0, 0,
            outChannels,
            4,
            4 * inChannels,
          ]);
        }
      }
    }
    return job;
  });
  release(backend, weights);
  releaseRows(backend, gradientRows, targetRows);
  if (!padded) return target;
  const dx = call(tf.Slice, backend, { x: target }, {
    begin: [0, padInfo.top, padInfo.left, 0],
    size: [batchSize, inHeight, inWidth, inChannels],
  });
  release(backend, target);
  return dx;
}

/**
 * The SIMD way for an input with fewer than 4 channels (a network's first
 * layer; tfjs's fused convolution computes its input gradient even though
 * nothing reads it): the per-tap products of bySimdTaps would be 1 to 3
 * columns wide, so instead one product dy · Wᵀ gives every output
 * position's contributions to the taps under it (its im2col column, taps x
 * channels wide), a few images at a time, and ./simd/col2im adds them into
 * place. The threads split the batch, each with columns of its own.
 */
function bySimdColumns(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const columnLength = filterHeight * filterWidth * inChannels;
  const positionsPerImage = outHeight * outWidth;
  const flat = reshape(backend, filter, [columnLength, outChannels]);
  const weightsT = transpose(backend, flat, [1, 0]); // [Co, taps x Ci]
  release(backend, flat);
  const perCall = Math.max(1, Math.min(batchSize, Math.floor(conv2DBackpropInputMethod.simdChunkBytes / (4 * positionsPerImage * (columnLength + outChannels)))));
  const work = batchSize * positionsPerImage * columnLength * outChannels;
  const threads = work >= parallelWork.min ? kernelThreads(backend) : 1;
  const chunkFloats = perCall * positionsPerImage * columnLength;
  const columns = backend.makeOutput([threads * chunkFloats], "float32");
  const rowsA = evenRows(backend, perCall * positionsPerImage, 4 * outChannels);
  const rowsC = evenRows(backend, perCall * positionsPerImage, 4 * columnLength);
  const dx = backend.makeOutput(info.inShape, "float32");
  heapF32(backend, dx).fill(0);
  const [dyAt, wAt, colAt, rowsAAt, rowsCAt, dxAt] = [dy, weightsT, columns, rowsA, rowsC, dx].map((t) => addressOf(backend, t));
  // A chunk: perCall images (all of them on one thread), each thread with columns of its own.
  const pieces = Math.ceil(batchSize / perCall);
  const piecesPerChunk = threads > 1 ? 1 : pieces;
  runChunks(backend, Math.ceil(pieces / piecesPerChunk), (chunk, thread): Job => {
    const job: Job = [];
    const colHere = colAt + 4 * thread * chunkFloats;
    for (let piece = chunk * piecesPerChunk; piece < Math.min(pieces, (chunk + 1) * piecesPerChunk); piece++) {
      const first = piece * perCall;
      const count = Math.min(perCall, batchSize - first);
      job.push(["gemm", count * positionsPerImage, columnLength, rowsAAt, dyAt + 4 * first * positionsPerImage * outChannels, rowsCAt, colHere, 0, wAt, 1, 0, 0, 1, 0, 0, outChannels, 4, 4 * columnLength]);
      job.push(["col2im", colHere, 4 * columnLength, dxAt + 4 * first * inHeight * inWidth * inChannels, count, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left]);
    }
    return job;
  });
  release(backend, weightsT, columns);
  releaseRows(backend, rowsA, rowsC);
  return dx;
}

export function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  requireChannelsLast("Conv2DBackpropInput", attrs.dataFormat);
  const info = channelsLastConvInfo(attrs.inputShape, filter.shape, attrs);
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const use = conv2DBackpropInputMethod.use;
  const simd = use === "auto" || use === "simd" ? simdKernels(backend) : null;
  if (use === "simd" && !simd) throw new Error("Conv2DBackpropInput: the SIMD kernels are not available on this wasm backend.");
  if (simd && dy.dtype === "float32") {
    if (winogradApplies(info, "input")) return winogradConv2DBackpropInput(backend, simd, dy, filter, info);
    return info.inChannels < 4 ? bySimdColumns(backend, dy, filter, info) : bySimdTaps(backend, dy, filter, info);
  }

  // Work of the full convolution (a GEMM over the input's area) against the
  // columns way (a GEMM over the output's area, plus the col2im pass, whose
  // JavaScript add costs about as much as 15 of XNNPACK's multiply-adds).
  const fullWork = inHeight * inWidth * info.outChannels;
  const columnsWork = outHeight * outWidth * (info.outChannels + 15);
  if (use === "columns" || (use === "auto" && columnsWork < fullWork)) return byColumns(backend, dy, filter, info);

  const strided = strideHeight > 1 || strideWidth > 1;
  let gradient = strided ? insertZeros(backend, dy, strideHeight, strideWidth) : dy;
  // Padding that makes a stride-1 convolution of `gradient` come out at the
  // input's size. The zero insertion already added (stride - 1) zero rows at
  // the bottom and columns at the right.
  let top = filterHeight - 1 - padInfo.top;
  let left = filterWidth - 1 - padInfo.left;
  let bottom = inHeight + padInfo.top - (outHeight - 1) * strideHeight - 1 - (strideHeight - 1);
  let right = inWidth + padInfo.left - (outWidth - 1) * strideWidth - 1 - (strideWidth - 1);
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    // Forward padding wider than the filter: crop the rows/columns that no
    // input position receives.
    const [n, h, w, c] = gradient.shape;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const cropped = call(tf.Slice, backend, { x: gradient }, {
      begin: [0, cropTop, cropLeft, 0],
      size: [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c],
    });
    if (gradient !== dy) release(backend, gradient);
    gradient = cropped;
    top = Math.max(top, 0);
    left = Math.max(left, 0);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }

  const flipped = call(tf.Reverse, backend, { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  release(backend, flipped);
  const dx = conv2d(backend, gradient, swapped, explicitPadding(top, bottom, left, right));
  release(backend, swapped);
  if (gradient !== dy) release(backend, gradient);
  return dx;
}

export const conv2DBackpropInputConfig = wasmKernel(tf.Conv2DBackpropInput, conv2DBackpropInput);
