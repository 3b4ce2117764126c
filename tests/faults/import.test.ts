import { describeProbes } from "./probe";
import { importProbes } from "./import-probes";

describeProbes("faults: image-folder import", importProbes);
