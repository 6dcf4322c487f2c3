/**
 * The simulator's own description of the ARI REST surface (Asterisk 22), from which it serves
 * Swagger 1.2 listings that unmodified `ari-client` 2.2.0 turns into `client.<resource>.<nickname>()`
 * methods, and from which the REST router takes its routes. Operations the simulator does not
 * implement are still listed (ari-client builds every method at connect) and answer 501.
 *
 * Compact notations (parsed below):
 *   params: space-separated `name[:type][@body][!][*][=default][{a|b}]`
 *           `!` required, `*` allowMultiple (comma list), path params are detected from the path.
 *   models: space-separated `name:type[!]` (`!` required).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface OperationSpec {
  resource: string;
  method: HttpMethod;
  path: string;
  nickname: string;
  responseClass: string;
  summary: string;
  params: ParamSpec[];
  errors: number[];
}

export interface ParamSpec {
  name: string;
  paramType: 'query' | 'path' | 'body';
  dataType: string;
  required: boolean;
  allowMultiple: boolean;
  defaultValue?: string | number | boolean;
  allowableValues?: string[];
}

interface ModelSpec {
  id: string;
  description: string;
  properties: Record<string, { type: string; required: boolean }>;
  extends?: string;
  subTypes?: string[];
  discriminator?: string;
}

const RESOURCE_DESCRIPTIONS: Record<string, string> = {
  asterisk: 'Asterisk resources',
  endpoints: 'Endpoint resources',
  channels: 'Channel resources',
  bridges: 'Bridge resources',
  recordings: 'Recording resources',
  sounds: 'Sound resources',
  playbacks: 'Playback control resources',
  deviceStates: 'Device state resources',
  mailboxes: 'Mailboxes resources',
  events: 'WebSocket resource',
  applications: 'Stasis application resources',
};

export const RESOURCE_NAMES = Object.keys(RESOURCE_DESCRIPTIONS);

const OPS: Array<[string, string, string, string, string, string?, number[]?]> = [
  // [resource, 'METHOD /path', nickname, responseClass, summary, params, errors]
  ['asterisk', 'GET /asterisk/config/dynamic/{configClass}/{objectType}/{id}', 'getObject', 'List[ConfigTuple]', 'Retrieve a dynamic configuration object.', '', [404]],
  ['asterisk', 'PUT /asterisk/config/dynamic/{configClass}/{objectType}/{id}', 'updateObject', 'List[ConfigTuple]', 'Create or update a dynamic configuration object.', 'fields:containers@body', [400, 403, 404]],
  ['asterisk', 'DELETE /asterisk/config/dynamic/{configClass}/{objectType}/{id}', 'deleteObject', 'void', 'Delete a dynamic configuration object.', '', [403, 404]],
  ['asterisk', 'GET /asterisk/info', 'getInfo', 'AsteriskInfo', 'Gets Asterisk system information.', 'only*{build|system|config|status}'],
  ['asterisk', 'GET /asterisk/ping', 'ping', 'AsteriskPing', 'Response pong message.'],
  ['asterisk', 'GET /asterisk/modules', 'listModules', 'List[Module]', 'List Asterisk modules.'],
  ['asterisk', 'GET /asterisk/modules/{moduleName}', 'getModule', 'Module', 'Get Asterisk module information.', '', [404, 409]],
  ['asterisk', 'POST /asterisk/modules/{moduleName}', 'loadModule', 'void', 'Load an Asterisk module.', '', [409]],
  ['asterisk', 'DELETE /asterisk/modules/{moduleName}', 'unloadModule', 'void', 'Unload an Asterisk module.', '', [404, 409]],
  ['asterisk', 'PUT /asterisk/modules/{moduleName}', 'reloadModule', 'void', 'Reload an Asterisk module.', '', [404, 409]],
  ['asterisk', 'GET /asterisk/logging', 'listLogChannels', 'List[LogChannel]', 'Gets Asterisk log channel information.'],
  ['asterisk', 'POST /asterisk/logging/{logChannelName}', 'addLog', 'void', 'Adds a log channel.', 'configuration!', [400, 409]],
  ['asterisk', 'DELETE /asterisk/logging/{logChannelName}', 'deleteLog', 'void', 'Deletes a log channel.', '', [404]],
  ['asterisk', 'PUT /asterisk/logging/{logChannelName}/rotate', 'rotateLog', 'void', 'Rotates a log channel.', '', [404]],
  ['asterisk', 'GET /asterisk/variable', 'getGlobalVar', 'Variable', 'Get the value of a global variable.', 'variable!', [400]],
  ['asterisk', 'POST /asterisk/variable', 'setGlobalVar', 'void', 'Set the value of a global variable.', 'variable! value', [400]],

  ['endpoints', 'GET /endpoints', 'list', 'List[Endpoint]', 'List all endpoints.'],
  ['endpoints', 'PUT /endpoints/sendMessage', 'sendMessage', 'void', 'Send a message to some technology URI or endpoint.', 'to! from! body variables:containers@body', [400, 404]],
  ['endpoints', 'POST /endpoints/refer', 'refer', 'void', 'Refer an endpoint or technology URI to some technology URI or endpoint.', 'to! from! refer_to! to_self:boolean=false variables:containers@body', [400, 404]],
  ['endpoints', 'GET /endpoints/{tech}', 'listByTech', 'List[Endpoint]', 'List available endoints for a given endpoint technology.', '', [404]],
  ['endpoints', 'GET /endpoints/{tech}/{resource}', 'get', 'Endpoint', 'Details for an endpoint.', '', [400, 404]],
  ['endpoints', 'PUT /endpoints/{tech}/{resource}/sendMessage', 'sendMessageToEndpoint', 'void', 'Send a message to some endpoint in a technology.', 'from! body variables:containers@body', [400, 404]],
  ['endpoints', 'POST /endpoints/{tech}/{resource}/refer', 'referToEndpoint', 'void', 'Refer an endpoint in a technology to some technology URI or endpoint.', 'from! refer_to! to_self:boolean=false variables:containers@body', [400, 404]],

  ['channels', 'GET /channels', 'list', 'List[Channel]', 'List all active channels in Asterisk.'],
  ['channels', 'POST /channels', 'originate', 'Channel', 'Create a new channel (originate).', 'endpoint! extension context priority:long label app appArgs callerId timeout:int=30 variables:containers@body channelId otherChannelId originator formats', [400, 409]],
  ['channels', 'POST /channels/create', 'create', 'Channel', 'Create channel.', 'endpoint! app! appArgs channelId otherChannelId originator formats variables:containers@body', [409]],
  ['channels', 'GET /channels/{channelId}', 'get', 'Channel', 'Channel details.', '', [404]],
  ['channels', 'POST /channels/{channelId}', 'originateWithId', 'Channel', 'Create a new channel (originate with id).', 'endpoint! extension context priority:long label app appArgs callerId timeout:int=30 variables:containers@body otherChannelId originator formats', [400, 409]],
  ['channels', 'DELETE /channels/{channelId}', 'hangup', 'void', 'Delete (i.e. hangup) a channel.', 'reason_code reason{normal|busy|congestion|no_answer|timeout|rejected|unallocated|normal_unspecified|number_incomplete|codec_mismatch|interworking|failure|answered_elsewhere}', [400, 404]],
  ['channels', 'POST /channels/{channelId}/continue', 'continueInDialplan', 'void', 'Exit application; continue execution in the dialplan.', 'context extension priority:int label', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/move', 'move', 'void', 'Move the channel from one Stasis application to another.', 'app! appArgs', [404, 409]],
  ['channels', 'POST /channels/{channelId}/redirect', 'redirect', 'void', 'Redirect the channel to a different location.', 'endpoint!', [400, 404, 409, 422, 412]],
  ['channels', 'POST /channels/{channelId}/answer', 'answer', 'void', 'Answer a channel.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/ring', 'ring', 'void', 'Indicate ringing to a channel.', '', [404, 409, 412]],
  ['channels', 'DELETE /channels/{channelId}/ring', 'ringStop', 'void', 'Stop ringing indication on a channel if locally generated.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/progress', 'progress', 'void', 'Indicate progress to a channel.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/dtmf', 'sendDTMF', 'void', 'Send provided DTMF to a given channel.', 'dtmf before:int=0 between:int=100 duration:int=100 after:int=0', [400, 404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/mute', 'mute', 'void', 'Mute a channel.', 'direction=both{both|in|out}', [404, 409, 412]],
  ['channels', 'DELETE /channels/{channelId}/mute', 'unmute', 'void', 'Unmute a channel.', 'direction=both{both|in|out}', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/hold', 'hold', 'void', 'Hold a channel.', '', [404, 409, 412]],
  ['channels', 'DELETE /channels/{channelId}/hold', 'unhold', 'void', 'Remove a channel from hold.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/moh', 'startMoh', 'void', 'Play music on hold to a channel.', 'mohClass', [404, 409, 412]],
  ['channels', 'DELETE /channels/{channelId}/moh', 'stopMoh', 'void', 'Stop playing music on hold to a channel.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/silence', 'startSilence', 'void', 'Play silence to a channel.', '', [404, 409, 412]],
  ['channels', 'DELETE /channels/{channelId}/silence', 'stopSilence', 'void', 'Stop playing silence to a channel.', '', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/play', 'play', 'Playback', 'Start playback of media.', 'media!* lang offsetms:int skipms:int=3000 playbackId', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/play/{playbackId}', 'playWithId', 'Playback', 'Start playback of media and specify the playbackId.', 'media!* lang offsetms:int skipms:int=3000', [404, 409, 412]],
  ['channels', 'POST /channels/{channelId}/record', 'record', 'LiveRecording', 'Start a recording.', 'name! format! maxDurationSeconds:int=0 maxSilenceSeconds:int=0 ifExists=fail{fail|overwrite|append} beep:boolean=false terminateOn=none{none|any|*|#}', [400, 404, 409, 422]],
  ['channels', 'GET /channels/{channelId}/variable', 'getChannelVar', 'Variable', 'Get the value of a channel variable or function.', 'variable!', [400, 404, 409]],
  ['channels', 'POST /channels/{channelId}/variable', 'setChannelVar', 'void', 'Set the value of a channel variable or function.', 'variable! value report_events:boolean=false', [400, 404, 409]],
  ['channels', 'GET /channels/{channelId}/variables', 'getChannelVars', 'Variables', 'Get the values of multiple channel variables or functions.', 'variables!*', [400, 404, 409]],
  ['channels', 'POST /channels/{channelId}/variables', 'setChannelVars', 'void', 'Set the values of multiple channel variables or functions.', 'variables:containers@body!', [400, 404, 409]],
  ['channels', 'POST /channels/{channelId}/snoop', 'snoopChannel', 'Channel', 'Start snooping.', 'spy=none{none|both|out|in} whisper=none{none|both|out|in} app! appArgs snoopId', [400, 404]],
  ['channels', 'POST /channels/{channelId}/snoop/{snoopId}', 'snoopChannelWithId', 'Channel', 'Start snooping with a given snoop id.', 'spy=none{none|both|out|in} whisper=none{none|both|out|in} app! appArgs', [400, 404]],
  ['channels', 'POST /channels/{channelId}/dial', 'dial', 'void', 'Dial a created channel.', 'caller timeout:int=0', [404, 409]],
  ['channels', 'GET /channels/{channelId}/rtp_statistics', 'rtpstatistics', 'RTPstat', 'RTP stats on a channel.', '', [404]],
  ['channels', 'POST /channels/externalMedia', 'externalMedia', 'Channel', 'Start an External Media session.', 'channelId app! variables:containers@body external_host encapsulation=rtp{rtp|audiosocket|none} transport=udp{udp|tcp|websocket} connection_type=client{client|server} format! direction=both{both} data transport_data', [400, 409]],
  ['channels', 'POST /channels/{channelId}/transfer_progress', 'transfer_progress', 'void', 'Inform the channel about the progress of the attended/blind transfer.', 'states!', [400, 404, 409, 412]],

  ['bridges', 'GET /bridges', 'list', 'List[Bridge]', 'List all active bridges in Asterisk.'],
  ['bridges', 'POST /bridges', 'create', 'Bridge', 'Create a new bridge.', 'type bridgeId name variables:containers@body', [409]],
  ['bridges', 'POST /bridges/{bridgeId}', 'createWithId', 'Bridge', 'Create a new bridge or updates an existing one.', 'type name variables:containers@body', [409]],
  ['bridges', 'GET /bridges/{bridgeId}', 'get', 'Bridge', 'Get bridge details.', '', [404]],
  ['bridges', 'DELETE /bridges/{bridgeId}', 'destroy', 'void', 'Shut down a bridge.', '', [404]],
  ['bridges', 'GET /bridges/{bridgeId}/variable', 'getBridgeVar', 'Variable', 'Get the value of a bridge variable.', 'variable!', [400, 404, 409]],
  ['bridges', 'POST /bridges/{bridgeId}/variable', 'setBridgeVar', 'void', 'Set the value of a bridge variable.', 'variable! value report_events:boolean=false', [400, 404, 409]],
  ['bridges', 'GET /bridges/{bridgeId}/variables', 'getBridgeVars', 'Variables', 'Get the values of multiple bridge variables.', 'variables!*', [400, 404, 409]],
  ['bridges', 'POST /bridges/{bridgeId}/variables', 'setBridgeVars', 'void', 'Set the values of multiple bridge variables.', 'variables:containers@body!', [400, 404, 409]],
  ['bridges', 'POST /bridges/{bridgeId}/addChannel', 'addChannel', 'void', 'Add a channel to a bridge.', 'channel!* role absorbDTMF:boolean=false mute:boolean=false inhibitConnectedLineUpdates:boolean=false', [400, 404, 409, 422]],
  ['bridges', 'POST /bridges/{bridgeId}/removeChannel', 'removeChannel', 'void', 'Remove a channel from a bridge.', 'channel!*', [400, 404, 409, 422]],
  ['bridges', 'POST /bridges/{bridgeId}/videoSource/{channelId}', 'setVideoSource', 'void', 'Set a channel as the video source in a multi-party mixing bridge.', '', [404, 409, 422]],
  ['bridges', 'DELETE /bridges/{bridgeId}/videoSource', 'clearVideoSource', 'void', 'Removes any explicit video source in a multi-party mixing bridge.', '', [404]],
  ['bridges', 'POST /bridges/{bridgeId}/moh', 'startMoh', 'void', 'Play music on hold to a bridge or change the MOH class that is playing.', 'mohClass', [404, 409]],
  ['bridges', 'DELETE /bridges/{bridgeId}/moh', 'stopMoh', 'void', 'Stop playing music on hold to a bridge.', '', [404, 409]],
  ['bridges', 'POST /bridges/{bridgeId}/play', 'play', 'Playback', 'Start playback of media on a bridge.', 'media!* announcer_format lang offsetms:int=0 skipms:int=3000 playbackId', [404, 409, 422]],
  ['bridges', 'POST /bridges/{bridgeId}/play/{playbackId}', 'playWithId', 'Playback', 'Start playback of media on a bridge with a given playback id.', 'media!* announcer_format lang offsetms:int=0 skipms:int=3000', [404, 409, 422]],
  ['bridges', 'POST /bridges/{bridgeId}/record', 'record', 'LiveRecording', 'Start a recording.', 'name! format! recorder_format maxDurationSeconds:int=0 maxSilenceSeconds:int=0 ifExists=fail{fail|overwrite|append} beep:boolean=false terminateOn=none{none|any|*|#}', [400, 404, 409, 422]],

  ['recordings', 'GET /recordings/stored', 'listStored', 'List[StoredRecording]', 'List recordings that are complete.'],
  ['recordings', 'GET /recordings/stored/{recordingName}', 'getStored', 'StoredRecording', 'Get a stored recording\'s details.', '', [404]],
  ['recordings', 'DELETE /recordings/stored/{recordingName}', 'deleteStored', 'void', 'Delete a stored recording.', '', [404]],
  ['recordings', 'GET /recordings/stored/{recordingName}/file', 'getStoredFile', 'binary', 'Get the file associated with the stored recording.', '', [403, 404]],
  ['recordings', 'POST /recordings/stored/{recordingName}/copy', 'copyStored', 'StoredRecording', 'Copy a stored recording.', 'destinationRecordingName!', [404, 409]],
  ['recordings', 'GET /recordings/live/{recordingName}', 'getLive', 'LiveRecording', 'List live recordings.', '', [404]],
  ['recordings', 'DELETE /recordings/live/{recordingName}', 'cancel', 'void', 'Stop a live recording and discard it.', '', [404]],
  ['recordings', 'POST /recordings/live/{recordingName}/stop', 'stop', 'void', 'Stop a live recording and store it.', '', [404]],
  ['recordings', 'POST /recordings/live/{recordingName}/pause', 'pause', 'void', 'Pause a live recording.', '', [404, 409]],
  ['recordings', 'DELETE /recordings/live/{recordingName}/pause', 'unpause', 'void', 'Unpause a live recording.', '', [404, 409]],
  ['recordings', 'POST /recordings/live/{recordingName}/mute', 'mute', 'void', 'Mute a live recording.', '', [404, 409]],
  ['recordings', 'DELETE /recordings/live/{recordingName}/mute', 'unmute', 'void', 'Unmute a live recording.', '', [404, 409]],

  ['sounds', 'GET /sounds', 'list', 'List[Sound]', 'List all sounds.', 'lang format'],
  ['sounds', 'GET /sounds/{soundId}', 'get', 'Sound', 'Get a sound\'s details.'],

  ['playbacks', 'GET /playbacks/{playbackId}', 'get', 'Playback', 'Get a playback\'s details.', '', [404]],
  ['playbacks', 'DELETE /playbacks/{playbackId}', 'stop', 'void', 'Stop a playback.', '', [404]],
  ['playbacks', 'POST /playbacks/{playbackId}/control', 'control', 'void', 'Control a playback.', 'operation!{restart|pause|unpause|reverse|forward}', [400, 404, 409]],

  ['deviceStates', 'GET /deviceStates', 'list', 'List[DeviceState]', 'List all ARI controlled device states.'],
  ['deviceStates', 'GET /deviceStates/{deviceName}', 'get', 'DeviceState', 'Retrieve the current state of a device.'],
  ['deviceStates', 'PUT /deviceStates/{deviceName}', 'update', 'void', 'Change the state of a device controlled by ARI.', 'deviceState!{NOT_INUSE|INUSE|BUSY|INVALID|UNAVAILABLE|RINGING|RINGINUSE|ONHOLD}', [404, 409]],
  ['deviceStates', 'DELETE /deviceStates/{deviceName}', 'delete', 'void', 'Destroy a device-state controlled by ARI.', '', [404, 409]],

  ['mailboxes', 'GET /mailboxes', 'list', 'List[Mailbox]', 'List all mailboxes.'],
  ['mailboxes', 'GET /mailboxes/{mailboxName}', 'get', 'Mailbox', 'Retrieve the current state of a mailbox.', '', [404]],
  ['mailboxes', 'PUT /mailboxes/{mailboxName}', 'update', 'void', 'Change the state of a mailbox.', 'oldMessages:int! newMessages:int!', [404]],
  ['mailboxes', 'DELETE /mailboxes/{mailboxName}', 'delete', 'void', 'Destroy a mailbox.', '', [404]],

  ['events', 'GET /events', 'eventWebsocket', 'Message', 'WebSocket connection for events.', 'app!* subscribeAll:boolean'],
  ['events', 'POST /events/user/{eventName}', 'userEvent', 'void', 'Generate a user event.', 'application! source* variables:containers@body', [404, 422, 400]],
  ['events', 'POST /events/claim', 'claimChannel', 'void', 'Claim a broadcast channel for this application.', 'channelId! application!', [404, 409]],

  ['applications', 'GET /applications', 'list', 'List[Application]', 'List all applications.'],
  ['applications', 'GET /applications/{applicationName}', 'get', 'Application', 'Get details of an application.', '', [404]],
  ['applications', 'POST /applications/{applicationName}/subscription', 'subscribe', 'Application', 'Subscribe an application to a event source.', 'eventSource!*', [400, 404, 422]],
  ['applications', 'DELETE /applications/{applicationName}/subscription', 'unsubscribe', 'Application', 'Unsubscribe an application from an event source.', 'eventSource!*', [400, 404, 409, 422]],
  ['applications', 'PUT /applications/{applicationName}/eventFilter', 'filter', 'Application', 'Filter application events types.', 'filter:object@body', [400, 404]],
];

const TOKEN = /^([A-Za-z_]+)(?::([A-Za-z[\]]+))?(@body)?(!)?(\*)?(?:=([^{]*))?(?:\{([^}]*)\})?$/;

function parseParams(path: string, spec: string): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const m of path.matchAll(/\{([A-Za-z_]+)\}/g)) {
    out.push({ name: m[1] as string, paramType: 'path', dataType: 'string', required: true, allowMultiple: false });
  }
  for (const token of spec.split(/\s+/).filter(Boolean)) {
    const m = TOKEN.exec(token);
    if (!m) throw new Error(`bad param spec '${token}'`);
    const [, name, type, body, req, multi, def, values] = m;
    const dataType = type ?? 'string';
    const p: ParamSpec = {
      name: name as string,
      paramType: body ? 'body' : 'query',
      dataType,
      required: !!req,
      allowMultiple: !!multi,
    };
    if (def !== undefined && def !== '') {
      p.defaultValue = dataType === 'int' || dataType === 'long' ? Number(def) : dataType === 'boolean' ? def === 'true' : def;
    }
    if (values) p.allowableValues = values.split('|');
    out.push(p);
  }
  return out;
}

export const OPERATIONS: OperationSpec[] = OPS.map(([resource, route, nickname, responseClass, summary, params, errors]) => {
  const [method, path] = route.split(' ') as [HttpMethod, string];
  return { resource, method, path, nickname, responseClass, summary, params: parseParams(path, params ?? ''), errors: errors ?? [] };
});

// ---------------------------------------------------------------------------------------------
// Models

function model(id: string, props: string, description: string, extra: Partial<ModelSpec> = {}): ModelSpec {
  const properties: ModelSpec['properties'] = {};
  for (const token of props.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z_]+):([A-Za-z[\]]+)(!)?$/.exec(token);
    if (!m) throw new Error(`bad model property '${token}' in ${id}`);
    properties[m[1] as string] = { type: m[2] as string, required: !!m[3] };
  }
  return { id, description, properties, ...extra };
}

const RESOURCE_MODELS: Record<string, ModelSpec[]> = {
  asterisk: [
    model('BuildInfo', 'os:string! kernel:string! options:string! machine:string! date:string! user:string!', 'Info about how Asterisk was built'),
    model('SystemInfo', 'version:string! entity_id:string!', 'Info about Asterisk'),
    model('SetId', 'user:string! group:string!', 'Effective user/group id'),
    model('ConfigInfo', 'name:string! default_language:string! max_channels:int max_open_files:int max_load:double setid:SetId!', 'Info about Asterisk configuration'),
    model('StatusInfo', 'startup_time:Date! last_reload_time:Date!', 'Info about Asterisk status'),
    model('AsteriskInfo', 'build:BuildInfo system:SystemInfo config:ConfigInfo status:StatusInfo', 'Asterisk system information'),
    model('AsteriskPing', 'asterisk_id:string! ping:string! timestamp:string!', 'Asterisk ping information'),
    model('Module', 'name:string! description:string! use_count:int! status:string! support_level:string!', 'Details of an Asterisk module'),
    model('LogChannel', 'channel:string! type:string! status:string! configuration:string!', 'Details of an Asterisk log channel'),
    model('Variable', 'value:string!', 'The value of a channel variable'),
    model('Variables', 'variables:object!', 'The values of several variables'),
    model('ConfigTuple', 'attribute:string! value:string!', 'A key/value pair of a configuration object'),
  ],
  endpoints: [
    model('Endpoint', 'technology:string! resource:string! state:string channel_ids:List[string]!', 'An external device that may offer/accept calls to/from Asterisk.'),
    model('TextMessage', 'from:string! to:string! body:string! variables:object', 'A text message.'),
  ],
  channels: [
    model('Dialed', '', 'Dialed channel information.'),
    model('DialplanCEP', 'context:string! exten:string! priority:long! app_name:string! app_data:string!', 'Dialplan location (context/extension/priority)'),
    model('CallerID', 'name:string! number:string!', 'Caller identification'),
    model('RTPstat', 'txcount:int! rxcount:int! txjitter:double rxjitter:double txploss:int! rxploss:int! rtt:double local_ssrc:int! remote_ssrc:int! txoctetcount:int! rxoctetcount:int! channel_uniqueid:string!', 'A statistics of a RTP.'),
    model('Channel', 'id:string! protocol_id:string! name:string! state:string! caller:CallerID! connected:CallerID! accountcode:string! dialplan:DialplanCEP! creationtime:Date! language:string! channelvars:object caller_rdnis:string tenantid:string', 'A specific communication connection between Asterisk and an Endpoint.'),
  ],
  bridges: [
    model('Bridge', 'id:string! technology:string! bridge_type:string! bridge_class:string! creator:string! name:string! channels:List[string]! video_mode:string video_source_id:string creationtime:Date! bridgevars:object', 'The merging of media from one or more channels.'),
  ],
  recordings: [
    model('StoredRecording', 'name:string! format:string!', 'A past recording that may be played back.'),
    model('LiveRecording', 'name:string! format:string! target_uri:string! state:string! duration:int talking_duration:int silence_duration:int cause:string', 'A recording that is in progress'),
  ],
  sounds: [
    model('FormatLangPair', 'language:string! format:string!', 'Identifies the format and language of a sound file'),
    model('Sound', 'id:string! text:string formats:List[FormatLangPair]!', 'A media file that may be played back.'),
  ],
  playbacks: [
    model('Playback', 'id:string! media_uri:string! next_media_uri:string target_uri:string! language:string state:string!', 'Object representing the playback of media to a channel'),
  ],
  deviceStates: [model('DeviceState', 'name:string! state:string!', 'Represents the state of a device.')],
  mailboxes: [model('Mailbox', 'name:string! old_messages:int! new_messages:int!', 'Represents the state of a mailbox.')],
  applications: [
    model('Application', 'name:string! channel_ids:List[string]! bridge_ids:List[string]! endpoint_ids:List[string]! device_names:List[string]! events_allowed:List[object]! events_disallowed:List[object]!', 'Details of a Stasis application'),
  ],
};

/** Event payload models (events.json). ari-client looks the model up by `type` for every message. */
const EVENT_MODELS: Array<[string, string, string]> = [
  ['DeviceStateChanged', 'device_state:DeviceState!', 'Notification that a device state has changed.'],
  ['PlaybackStarted', 'playback:Playback!', 'Event showing the start of a media playback operation.'],
  ['PlaybackContinuing', 'playback:Playback!', 'Event showing the continuation of a media playback operation from one media URI to the next in the list.'],
  ['PlaybackFinished', 'playback:Playback!', 'Event showing the completion of a media playback operation.'],
  ['RecordingStarted', 'recording:LiveRecording!', 'Event showing the start of a recording operation.'],
  ['RecordingFinished', 'recording:LiveRecording!', 'Event showing the completion of a recording operation.'],
  ['RecordingFailed', 'recording:LiveRecording!', 'Event showing failure of a recording operation.'],
  ['ApplicationMoveFailed', 'channel:Channel! destination:string! args:List[string]!', 'Notification that trying to move a channel to another Stasis application failed.'],
  ['ApplicationRegistered', '', 'Notification that a Stasis app has been registered.'],
  ['ApplicationUnregistered', '', 'Notification that a Stasis app has been unregistered.'],
  ['ApplicationReplaced', '', 'Notification that another WebSocket has taken over for an application.'],
  ['BridgeCreated', 'bridge:Bridge!', 'Notification that a bridge has been created.'],
  ['BridgeDestroyed', 'bridge:Bridge!', 'Notification that a bridge has been destroyed.'],
  ['BridgeMerged', 'bridge:Bridge! bridge_from:Bridge!', 'Notification that one bridge has merged into another.'],
  ['BridgeVideoSourceChanged', 'bridge:Bridge! old_video_source_id:string', 'Notification that the source of video in a bridge has changed.'],
  ['BridgeBlindTransfer', 'channel:Channel! replace_channel:Channel transferee:Channel exten:string! context:string! result:string! is_external:boolean! bridge:Bridge', 'Notification that a blind transfer has occurred.'],
  ['BridgeAttendedTransfer', 'transferer_first_leg:Channel! transferer_second_leg:Channel! replace_channel:Channel transferee:Channel transfer_target:Channel result:string! is_external:boolean! transferer_first_leg_bridge:Bridge transferer_second_leg_bridge:Bridge destination_type:string! destination_bridge:string destination_application:string destination_link_first_leg:Channel destination_link_second_leg:Channel destination_threeway_channel:Channel destination_threeway_bridge:Bridge', 'Notification that an attended transfer has occurred.'],
  ['ChannelCreated', 'channel:Channel!', 'Notification that a channel has been created.'],
  ['ChannelDestroyed', 'cause:int! cause_txt:string! tech_cause:int channel:Channel!', 'Notification that a channel has been destroyed.'],
  ['ChannelEnteredBridge', 'bridge:Bridge! channel:Channel', 'Notification that a channel has entered a bridge.'],
  ['ChannelLeftBridge', 'bridge:Bridge! channel:Channel!', 'Notification that a channel has left a bridge.'],
  ['ChannelStateChange', 'channel:Channel!', 'Notification of a channel\'s state change.'],
  ['ChannelDtmfReceived', 'digit:string! duration_ms:int! channel:Channel!', 'DTMF received on a channel (sent when the digit ends).'],
  ['ChannelDialplan', 'channel:Channel! dialplan_app:string! dialplan_app_data:string!', 'Channel changed location in the dialplan.'],
  ['ChannelCallerId', 'caller_presentation:int! caller_presentation_txt:string! channel:Channel!', 'Channel changed Caller ID.'],
  ['ChannelUserevent', 'eventname:string! channel:Channel bridge:Bridge endpoint:Endpoint userevent:object!', 'User-generated event with additional user-defined fields in the object.'],
  ['ChannelHangupRequest', 'cause:int tech_cause:int soft:boolean channel:Channel!', 'A hangup was requested on the channel.'],
  ['ChannelVarset', 'variable:string! value:string! channel:Channel', 'Channel variable changed.'],
  ['ChannelHold', 'channel:Channel! musicclass:string', 'A channel initiated a media hold.'],
  ['ChannelUnhold', 'channel:Channel!', 'A channel initiated a media unhold.'],
  ['ChannelToneDetected', 'channel:Channel!', 'Tone was detected on the channel.'],
  ['ChannelTalkingStarted', 'channel:Channel!', 'Talking was detected on the channel.'],
  ['ChannelTalkingFinished', 'channel:Channel! duration:int!', 'Talking is no longer detected on the channel.'],
  ['ContactStatusChange', 'endpoint:Endpoint! contact_info:ContactInfo!', 'The state of a contact on an endpoint has changed.'],
  ['PeerStatusChange', 'endpoint:Endpoint! peer:Peer!', 'The state of a peer associated with an endpoint has changed.'],
  ['EndpointStateChange', 'endpoint:Endpoint!', 'Endpoint state changed.'],
  ['Dial', 'caller:Channel peer:Channel! forward:string forwarded:Channel dialstring:string dialstatus:string!', 'Dialing state has changed.'],
  ['StasisEnd', 'channel:Channel!', 'Notification that a channel has left a Stasis application.'],
  ['StasisStart', 'args:List[string]! channel:Channel! replace_channel:Channel', 'Notification that a channel has entered a Stasis application.'],
  ['TextMessageReceived', 'message:TextMessage! endpoint:Endpoint', 'A text message was received from an endpoint.'],
  ['ChannelConnectedLine', 'channel:Channel!', 'Channel changed Connected Line.'],
  ['ChannelTransfer', 'state:string refer_to:ReferTo! referred_by:ReferredBy!', 'Transfer on a channel.'],
  ['CallBroadcast', 'channel:Channel! caller:string called:string', 'A channel is being broadcast to applications for claiming.'],
  ['CallClaimed', 'channel:Channel! winner_app:string!', 'A broadcast channel has been claimed by an application.'],
];

function eventsModels(): ModelSpec[] {
  const eventNames = EVENT_MODELS.map(([n]) => n);
  return [
    model('Message', 'type:string! asterisk_id:string', 'Base type for errors and events', {
      discriminator: 'type',
      subTypes: ['MissingParams', 'Event'],
    }),
    model('MissingParams', 'params:List[string]!', 'Error event sent when required params are missing.', { extends: 'Message' }),
    model('Event', 'application:string! timestamp:Date!', 'Base type for asynchronous events from Asterisk.', {
      extends: 'Message',
      subTypes: eventNames,
    }),
    model('ContactInfo', 'uri:string! contact_status:string! aor:string! roundtrip_usec:string', 'Detailed information about a contact on an endpoint.'),
    model('Peer', 'peer_status:string! cause:string address:string port:string time:string', 'Detailed information about a remote peer that communicates with Asterisk.'),
    model('ReferTo', 'requested_destination:RequiredDestination! destination_channel:Channel connected_channel:Channel bridge:Bridge', 'Part of a transfer event'),
    model('ReferredBy', 'source_channel:Channel! connected_channel:Channel bridge:Bridge', 'Part of a transfer event'),
    model('RequiredDestination', 'protocol_id:string destination:string additional_protocol_params:List[AdditionalParam]', 'Information about the requested destination'),
    model('AdditionalParam', 'parameter_name:string! parameter_value:string!', 'Protocol specific additional parameter'),
    ...EVENT_MODELS.map(([n, props, d]) => model(n, props, d, { extends: 'Event' })),
  ];
}

/** Names of every model in events.json (tests compare it to the types the simulator emits). */
export const EVENT_MODEL_NAMES: string[] = eventsModels().map((m) => m.id);

const ARI_API_VERSION = '10.0.0';

function modelsJson(models: ModelSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of models) {
    const properties: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(m.properties)) properties[name] = { type: p.type, required: p.required };
    out[m.id] = {
      id: m.id,
      description: m.description,
      ...(m.extends ? { extends: m.extends } : {}),
      ...(m.discriminator ? { discriminator: m.discriminator } : {}),
      properties,
      ...(m.subTypes ? { subTypes: m.subTypes } : {}),
    };
  }
  return out;
}

/** GET /ari/api-docs/resources.json */
export function resourcesListing(baseUrl: string): Record<string, unknown> {
  return {
    apiVersion: ARI_API_VERSION,
    swaggerVersion: '1.2',
    basePath: `${baseUrl}/ari`,
    apis: RESOURCE_NAMES.map((name) => ({ path: `/api-docs/${name}.{format}`, description: RESOURCE_DESCRIPTIONS[name] })),
  };
}

/** GET /ari/api-docs/<resource>.json, or undefined for an unknown resource. */
export function apiDeclaration(resource: string, baseUrl: string): Record<string, unknown> | undefined {
  if (!RESOURCE_NAMES.includes(resource)) return undefined;
  const byPath = new Map<string, OperationSpec[]>();
  for (const op of OPERATIONS.filter((o) => o.resource === resource)) {
    const list = byPath.get(op.path) ?? [];
    list.push(op);
    byPath.set(op.path, list);
  }
  const apis = [...byPath.entries()].map(([path, ops]) => ({
    path,
    description: ops[0]?.summary ?? '',
    operations: ops.map((op) => ({
      httpMethod: op.method,
      ...(op.nickname === 'eventWebsocket' ? { upgrade: 'websocket', websocketProtocol: 'ari' } : {}),
      summary: op.summary,
      nickname: op.nickname,
      responseClass: op.responseClass,
      parameters: op.params.map((p) => ({
        name: p.name,
        paramType: p.paramType,
        required: p.required,
        allowMultiple: p.allowMultiple,
        dataType: p.dataType,
        ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
        ...(p.allowableValues ? { allowableValues: { valueType: 'LIST', values: p.allowableValues } } : {}),
      })),
      ...(op.errors.length ? { errorResponses: op.errors.map((code) => ({ code, reason: ERROR_REASONS[code] ?? 'Error' })) } : {}),
    })),
  }));
  return {
    apiVersion: ARI_API_VERSION,
    swaggerVersion: '1.2',
    basePath: `${baseUrl}/ari`,
    resourcePath: `/api-docs/${resource}.{format}`,
    apis,
    models: modelsJson(resource === 'events' ? eventsModels() : (RESOURCE_MODELS[resource] ?? [])),
  };
}

const ERROR_REASONS: Record<number, string> = {
  400: 'Invalid parameters',
  403: 'Forbidden',
  404: 'Resource not found',
  409: 'Resource in an invalid state',
  412: 'Channel in invalid state',
  422: 'Unprocessable entity',
};
