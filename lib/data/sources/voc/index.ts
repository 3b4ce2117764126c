/** Pascal VOC folders: labelled photos in, scenes out (jetson-inference's camera-capture and train_ssd layout). */
export { importVocFolder, VOC_IMAGE_EXTENSIONS } from "./import";
export type { ImportVocOptions } from "./import";
export { exportVoc } from "./export";
export type { ExportVocOptions, VocExport } from "./export";
export { VocImportReport } from "./report";
export type { VocImportReportData, VocSkip, VocSkipReason } from "./report";
