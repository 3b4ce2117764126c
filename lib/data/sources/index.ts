/**
 * Where datasets come from: the bundled datasets and the image-folder
 * importer. Notebooks get these from "convlab"; the library's own code
 * imports them from here (lib/data does not re-export them, so reading a
 * Dataset never loads the importer).
 */
export { loadMnist } from "./mnist";
export type { LoadMnistOptions } from "./mnist";
export { loadFashionMnist } from "./fashion-mnist";
export type { LoadFashionMnistOptions } from "./fashion-mnist";
export type { BundledLoadOptions } from "./bundled";
export { DatasetFileError } from "./manifest";
export type { DatasetManifest } from "./manifest";
export { importImageFolder } from "./image-folder/import";
export type { ImportImageFolderOptions } from "./image-folder/options";
export { ImportReport } from "./image-folder/report";
export type { ImportReportData, SkippedFile, ClassReport, DroppedClass, DuplicateGroup } from "./image-folder/report";
export { ImportError } from "./image-folder/scan";
export { RESIZE_MODES, planResize } from "./image-folder/resize";
export type { ResizeMode, ResizePlan } from "./image-folder/resize";
export type { SkipReason } from "./image-folder/decode";
export * from "./voc";
