export type { JobAgreement, PairAgreement, ReplicaAgreement } from './agreement.js';
export { mergeReplicas, type ConsensusFrame, type MergedAnnotations, type MergeInput, type MergeResult, type ReplicaInput } from './merge.js';
export type { ReplicaData } from './objects.js';
export * from './settings.js';
