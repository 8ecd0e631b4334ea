/** Public entry of the simulator (used by `nad simulate` and the tests). */
export { DEFAULTS, INJECTIONS, parseInjectList, simulate, truthPathFor, writeSimulation } from './simulate.js';
export type { InjectParams, Injection, SimulateOptions, Simulation, Written } from './simulate.js';
export type { GroundTruth, InjectKind, TruthEntity, TruthHost } from './truth.js';
