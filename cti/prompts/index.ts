export {
  LANGUAGES,
  DIGIT_KEYS,
  PROMPT_KEYS,
  PROMPTS,
  SOUND_ROOT,
  MAX_SPOKEN_NUMBER,
  MENU_DIGITS,
  isLanguage,
  isPromptKey,
  promptText,
  soundName,
  promptMedia,
  digitMedia,
  digitsMedia,
  agentIntroMedia,
  numberKeys,
  numberMedia,
  queuePositionMedia,
  queueWaitMedia,
  greetingMedia,
  noticeMedia,
  DEFAULT_SPEECH_RATE,
  ANNOUNCEMENT_RATE,
  AGENT_INTRO_TARGET_MS,
} from './catalogue';
export type { Language, DigitKey, PromptKey, PromptEntry, NumberOptions } from './catalogue';
export { loadPromptDurations, mediaDurationMs } from './durations';
export { MANIFEST_FILE, manifestPath, readManifest } from './manifest';
export type { ManifestEntry, PromptManifest } from './manifest';
export { PROMPT_FORMAT, parseWavHeader, readWavInfo, isPromptFormat } from '../../core/wav';
export type { WavInfo } from '../../core/wav';
