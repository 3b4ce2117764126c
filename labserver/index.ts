/** The lab server: a JupyterHub for a class (`convlab lab-server`). */
export { startLab, prepareLab, learnersPerMachine, LAB_DEFAULTS, RESERVED_MEMORY_MB, logTail, type LabServerOptions, type RunningLab, type PreparedLab } from "./lab";
export { readClassList, parseClassList, ClassListError } from "./class-list";
export { HubApi, HubError, type UserModel, type ServerModel, type SessionModel } from "./hub-api";
export { applyLimits, cgroupVersion, memoryReport, removeLimits, learnerCgroups, type LearnerLimits, type AppliedLimits } from "./limits";
export { readClass, renderProgressPage, summarizeChecks, classCounts, type ClassProgress, type LearnerProgress } from "./progress";
export { copyLessons } from "./lessons";
export { ensureAccounts, removeAccount, lookupAccount, accountProblems, ACCOUNT_MARKER } from "./users";
export { assertPortFree, PortInUseError } from "./ports";
export { PROGRESS_SERVICE } from "./hub-config";
export { HubKernel, runNotebook, type NotebookRun, type ExecuteResult, type Output } from "./hub-kernel";
export { logInAll, startAll, runForAll, checkResultsShown, probeIsolation, dismantle, endProcessesOf, residentMb, LESSON_1, type IsolationProbe } from "./rehearsal";
export { freePort } from "./ports";
