/**
 * convlab: the teaching library. One module per stage of the workflow:
 * data → models → train → diagnose → deploy, plus charts and the display
 * protocol that shows all of them in a notebook.
 */
export * from "./display";
export * from "./backend";
export * from "./data";
export * from "./data/sources";
export * from "./data/scenes";
export * from "./history";
export * from "./charts";
export * from "./deploy";
export * from "./models";
export * from "./train";
export * from "./evaluate";
export * from "./diagnose";
export * from "./transfer";
export * from "./check";
export * from "./detect";
