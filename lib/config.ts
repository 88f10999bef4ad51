import { z } from "zod";

/**
 * All configuration, read from the environment once and validated. Nothing else reads
 * process.env. Durations are milliseconds. `.env.example` documents every variable.
 */

const ms = (def: number) => z.coerce.number().int().min(0).default(def);
const flag = (def: boolean) =>
  z
    .enum(["1", "0", "true", "false", "on", "off", "yes", "no"])
    .default(def ? "1" : "0")
    .transform((v) => ["1", "true", "on", "yes"].includes(v));
const list = z
  .string()
  .default("")
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  FLOWS_DIR: z.string().default("flows"),

  /** Bot voice (flite: slt, kal16, rms, awb, kal). */
  TTS_VOICE: z.string().default("slt"),
  /** Synthesize every fixed prompt at start and serve it from memory. Off only to compare (bench peer profile). */
  PROMPT_CACHE: flag(true),
  /** Where the embedded voice's prompts are kept between restarts (a start then loads them instead of synthesizing). Empty: not kept. */
  PROMPT_CACHE_DIR: z.string().default(".data/prompts"),

  /** Who listens: the embedded recognizer alone, or OpenAI's Realtime transcription with the embedded one beside it (its result when the cloud fails or is late). */
  ASR_PROVIDER: z.enum(["embedded", "openai"]).default("embedded"),
  OPENAI_TRANSCRIBE_MODEL: z.string().min(1).default("gpt-4o-transcribe"),
  /** "realtime": streamed over a Realtime transcription session; "file": the whole utterance posted to /audio/transcriptions at end of turn (simpler, slower). */
  OPENAI_TRANSCRIBE_API: z.enum(["realtime", "file"]).default("realtime"),
  /** From the end of the caller's turn, how long the cloud transcript may take before the embedded result is used. */
  ASR_RESULT_TIMEOUT_MS: ms(1000),
  /** Ask an OpenAI chat model (strict JSON schema per question) about answers the rules cannot decide. Needs OPENAI_API_KEY. */
  LLM_UNDERSTANDING: flag(false),
  OPENAI_CHAT_MODEL: z.string().min(1).default("gpt-4o-mini"),
  /** The model's whole reply must come within this, or the answer stays "not understood". */
  LLM_TIMEOUT_MS: ms(800),
  /** Who speaks: the embedded flite voice, or a cloud voice (with flite behind it when the cloud fails). */
  TTS_PROVIDER: z.enum(["embedded", "elevenlabs", "openai"]).default("embedded"),
  /** A cloud voice's first audio of a sentence must arrive within this, or flite says the sentence. */
  TTS_FIRST_AUDIO_TIMEOUT_MS: ms(1200),
  /** A cloud voice that stops sending mid-sentence for this long has failed. */
  TTS_STALL_TIMEOUT_MS: ms(1500),
  /** Failures in a row after which a cloud provider is skipped for PROVIDER_COOLDOWN_MS. */
  PROVIDER_BREAKER_FAILURES: z.coerce.number().int().min(1).default(3),
  PROVIDER_COOLDOWN_MS: ms(30_000),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** The openai SDK's base URL (https://api.openai.com/v1 by default). */
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_TTS_MODEL: z.string().min(1).default("gpt-4o-mini-tts"),
  OPENAI_TTS_VOICE: z.string().min(1).default("alloy"),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  /** The ElevenLabs voice (default "Rachel"). */
  ELEVENLABS_VOICE_ID: z.string().min(1).default("21m00Tcm4TlvDq8ikWAM"),
  /** A flash model: lowest first-audio latency. */
  ELEVENLABS_MODEL_ID: z.string().min(1).default("eleven_flash_v2_5"),
  ELEVENLABS_BASE_URL: z.string().url().optional(),

  /** Silence that ends a turn once what was heard already completes the question's grammar. */
  ENDPOINT_SHORT_MS: ms(200),
  /** Silence that ends a turn otherwise (the caller may be mid-number). */
  ENDPOINT_LONG_MS: ms(700),
  /** "grammar" = short/long windows above; "fixed" = always ENDPOINT_FIXED_MS (what peer frameworks ship). */
  ENDPOINT_MODE: z.enum(["grammar", "fixed"]).default("grammar"),
  ENDPOINT_FIXED_MS: ms(800),
  /** Silence after a prompt before the no-input reprompt. */
  NO_INPUT_MS: ms(6000),
  /** Silence after the caller asked for a moment ("hold on") before the no-input reprompt. */
  HOLD_MS: ms(20000),
  /** Sustained caller speech that interrupts the bot; shorter blips and noise do not. */
  BARGE_IN_MS: ms(150),
  /** Voiced audio below which a rejected utterance is treated as noise and ignored. */
  MIN_UTTERANCE_MS: ms(120),
  /** Energy above the tracked noise floor for a frame to count as speech. */
  VAD_THRESHOLD_DB: z.coerce.number().default(9),
  /** How far ahead of real time bot audio is sent (the client's jitter buffer covers it). */
  AUDIO_LEAD_MS: ms(100),
  /**
   * The lead for browser calls. Browsers flush on interrupt, so slack costs nothing there, and the
   * pages share the server's event loop: a dev-mode page render (100–300 ms) would underrun 100.
   */
  BROWSER_AUDIO_LEAD_MS: ms(400),

  /** Noise suppression (RNNoise) on the audio the recognizer hears. */
  DENOISE: flag(true),
  /**
   * A line is noisy when an utterance's background (the quietest 10 ms before the caller spoke)
   * is louder than this: phone (8 kHz) lines are denoised only then, and noisy lines of any kind
   * get NOISY_LINE_ENSEMBLE.
   */
  NOISY_LINE_ABOVE_DBFS: z.coerce.number().min(-200).max(0).default(-55),
  /** Decode noisy lines through three front ends and take the answer most agree on (~3× their decoding CPU). */
  NOISY_LINE_ENSEMBLE: flag(true),
  /**
   * Also decode noisy lines undenoised, with the acoustic model moved into the line's noise
   * (one more front end in the vote and in agreements; lib/asr/noise-compensation.ts): about two
   * points of answers in noise, for a fourth decode per noisy utterance (docs/architecture.md).
   */
  NOISE_COMPENSATION: flag(true),
  /**
   * A noisy line's utterance that starts while its recognizer thread is more than this far behind
   * real time (ms of audio queued) is decoded by one front end instead of NOISY_LINE_ENSEMBLE,
   * and a quiet wideband line's without RNNoise.
   */
  ASR_SHED_ABOVE_MS: ms(300),
  /** Worker threads decoding speech (0 = decode on the main thread; 2 or more spread a noisy line's front ends over two). */
  ASR_THREADS: z.coerce.number().int().min(0).max(16).default(2),
  /** Decoders (~11 MB each) created at start and at most, across all threads. */
  ASR_POOL_MIN: z.coerce.number().int().min(1).default(2),
  /**
   * Decoders at most. A lease lasts from speech start to end of turn; when callers wait for one,
   * their partials lag, the long end-of-turn window applies and leases get longer still: 24 for
   * 50 callers tipped into that (p95 0.9–2.9 s), 40 keeps ~12 busy and nobody waiting.
   */
  ASR_POOL_MAX: z.coerce.number().int().min(1).default(40),
  ASR_GARBAGE_WEIGHT: z.coerce.number().positive().default(1e-5),
  ASR_GARBAGE_LOOP_WEIGHT: z.coerce.number().positive().default(1e-4),
  /** Speech-level audio the out-of-grammar model may take before an utterance is rejected. */
  ASR_MAX_GARBAGE_SPEECH_MS: z.coerce.number().min(0).default(300),
  /** Share of an utterance's speech-level audio the out-of-grammar model may take (0–1). */
  ASR_MAX_GARBAGE_SHARE: z.coerce.number().min(0).max(1).default(0.6),
  /** Lowest lattice posterior of an answer word that is accepted (0–1). */
  ASR_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),

  /** On SIGTERM, how long live calls may take to finish before they are cut (new calls are refused meanwhile). */
  DRAIN_TIMEOUT_MS: ms(30_000),
  /** Calls at once; more are refused with "busy". */
  MAX_CALLS: z.coerce.number().int().min(1).default(100),
  MAX_CALL_MS: ms(10 * 60_000),
  /** A socket that has not started a call by then is closed. */
  START_TIMEOUT_MS: ms(10_000),
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Extra allowed WebSocket origins; same-host origins are always allowed. "*" allows any. */
  ALLOWED_ORIGINS: list,

  /** PostgreSQL for call records (postgres://…). Unset: embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded database lives (relative to the working directory). */
  DATA_DIR: z.string().default(".data/pglite"),
  /** This server among several sharing one PostgreSQL: after a crash it marks only its own live calls dropped. Default host:port. */
  INSTANCE_ID: z.string().min(1).optional(),
  /** How long a prompt waits for its turn's record to be written before it plays anyway. */
  STORE_WRITE_TIMEOUT_MS: ms(1000),
  /** Token for the call records API and dashboard. Required in production. */
  ADMIN_TOKEN: z.string().min(16).optional(),

  /** The server's public base URL (https://voice.example.com): Twilio signs this URL, and TwiML points the stream at it. Unset: taken from the request (Host, X-Forwarded-Proto). */
  PUBLIC_URL: z.string().url().optional(),
  /** Bot a phone call runs when neither the webhook URL (?bot=) nor PHONE_BOTS names one. */
  PHONE_DEFAULT_BOT: z.string().min(1).default("quickrupee"),
  /** Which bot each called number runs: "+15551230001=quickrupee,+15551230002=home-renovation". */
  PHONE_BOTS: list.transform((pairs, ctx) => {
    const map: Record<string, string> = {};
    for (const pair of pairs) {
      const [number, bot] = pair.split("=").map((x) => x.trim());
      if (!number || !bot) ctx.addIssue({ code: "custom", message: `"${pair}" is not number=bot` });
      else map[number] = bot;
    }
    return map;
  }),
  /** Twilio's auth token: signs voice webhooks (X-Twilio-Signature) and our stream tokens. Unset: Twilio routes refuse every request. */
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  /** How long the stream token in the TwiML stays valid (Twilio connects within a second or two). */
  STREAM_TOKEN_TTL_MS: ms(60_000),
  /** Exotel basic auth (wss://USER:PASSWORD@host/ws/exotel). */
  EXOTEL_USERNAME: z.string().min(1).optional(),
  EXOTEL_PASSWORD: z.string().min(1).optional(),
  /** Addresses Exotel connects from, allowed without basic auth (Exotel's IP allow-listing). */
  EXOTEL_ALLOWED_IPS: list,
  /** A number keyed on the phone ends with # or after this pause. */
  DTMF_DIGIT_TIMEOUT_MS: ms(3000),

  /** Where qualified leads are POSTed (JSON, signed). Unset: no webhook. */
  LEAD_WEBHOOK_URL: z.string().url().optional(),
  /** HMAC-SHA256 key for the webhook signature. Required with LEAD_WEBHOOK_URL. */
  LEAD_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Attempts before a delivery is marked failed; retries back off exponentially from WEBHOOK_RETRY_BASE_MS (capped at an hour). */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  WEBHOOK_RETRY_BASE_MS: ms(2000),
  WEBHOOK_TIMEOUT_MS: ms(10_000),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly code = "invalid_config";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(result.error)}`);
  if (result.data.LEAD_WEBHOOK_URL && !result.data.LEAD_WEBHOOK_SECRET) {
    throw new ConfigError("invalid configuration:\nLEAD_WEBHOOK_URL needs LEAD_WEBHOOK_SECRET (at least 16 characters) to sign deliveries");
  }
  const c = result.data;
  if (c.TTS_PROVIDER === "elevenlabs" && !c.ELEVENLABS_API_KEY) throw new ConfigError("invalid configuration:\nTTS_PROVIDER=elevenlabs needs ELEVENLABS_API_KEY");
  if (c.LLM_UNDERSTANDING && !c.OPENAI_API_KEY) throw new ConfigError("invalid configuration:\nLLM_UNDERSTANDING needs OPENAI_API_KEY");
  if (c.ASR_PROVIDER === "openai" && !c.OPENAI_API_KEY) throw new ConfigError("invalid configuration:\nASR_PROVIDER=openai needs OPENAI_API_KEY");
  if (c.TTS_PROVIDER === "openai" && !c.OPENAI_API_KEY) throw new ConfigError("invalid configuration:\nTTS_PROVIDER=openai needs OPENAI_API_KEY");
  return c;
}
