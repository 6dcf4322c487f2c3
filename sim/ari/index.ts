export { AriSimulator, ASTERISK_VERSION, type AriSimulatorOptions, type AriSimulatorEvents } from './server';
export { CallerHandle, type LoadHandle, type LoadOptions, type LoadStats } from './script';
export { EVENT_MODEL_NAMES, OPERATIONS, RESOURCE_NAMES } from './api-docs';
export { defaultSoundDurationMs } from './model';
export type { CalleeBehaviour } from './outbound';
export { silentWav, wavDurationMs } from '../../core/wav';
export * from './types';
export { replayTrace, type ReplayOptions, type ReplayReport } from './trace-replay';
