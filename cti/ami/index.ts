export { AmiClient } from './client';
export type {
  AmiActionRequest,
  AmiClientEvents,
  AmiClientOptions,
  AmiListResult,
  AmiMalformedEvent,
  AmiState,
  AmiStateChange,
} from './client';
export { AmiError, type AmiErrorCode } from './errors';
export type {
  AmiMessage,
  ContactEvent,
  ContactStatus,
  FullyBootedEvent,
  PeerEvent,
  RegistryEvent,
  RegistryStatus,
  ShutdownEvent,
} from './events';
export { PbxHealth } from './health';
export type {
  PbxHealthAmi,
  PbxHealthEvents,
  PbxHealthOptions,
  PbxHealthSnapshot,
  PhoneContactHealth,
  PhoneHealth,
  PhoneReachability,
  PhoneStatus,
  TrunkHealth,
  TrunkRegistrationHealth,
} from './health';
