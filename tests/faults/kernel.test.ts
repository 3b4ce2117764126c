import { describeProbes } from "./probe";
import { kernelProbes } from "./kernel-probes";
import { historyProbes } from "./history-probes";

describeProbes("faults: kernel", [...kernelProbes, ...historyProbes]);
