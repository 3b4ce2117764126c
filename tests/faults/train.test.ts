import { describeProbes } from "./probe";
import { trainProbes } from "./train-probes";

describeProbes("faults: training", trainProbes);
