import type { Logger } from "pino";
import { EmbeddedRecognizer } from "../asr/embedded";
import { ThreadedEmbeddedRecognizer } from "../asr/embedded-threads";
import { withConfiguredRecognizer } from "../asr/providers";
import type { Recognizer } from "../asr/types";
import { buildFlowGrammars, type QuestionGrammar } from "../bot/grammar";
import type { Flow } from "../bot/flow-schema";
import { loadFlows } from "../bot/flows";
import { llmUnderstand } from "../bot/llm-understand";
import { fixedPrompts } from "../bot/machine";
import type { Config } from "../config";
import { concatInt16 } from "../audio/pcm";
import { FliteSynthesizer, fliteVersion } from "../tts/flite";
import { createSynthesizer } from "../tts/providers";
import { PromptCache } from "../tts/prompt-cache";
import { DiskPromptStore } from "../tts/prompt-store";
import { OUTPUT_FORMATS } from "../tts/types";
import type { Channel } from "../transport/protocol";
import { WebhookSender } from "../leads/webhook";
import type { Metrics } from "../server/metrics";
import { openCallStore } from "../store/open";
import type { CallStore } from "../store/call-store";
import type { CallRecorder } from "./recorder";
import { CallSession, type CallSummary, type SessionDeps, type SessionSettings, type SessionSink } from "./session";

export type StartCallError = "unknown_bot" | "busy";

const bindRecorder = (r: CallRecorder): CallRecorder => ({
  started: (c) => r.started(c),
  turn: (id, t, answers) => r.turn(id, t, answers),
  measured: (id, t) => r.measured(id, t),
  ended: (s) => r.ended(s),
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Owns what calls share: flows and their grammars, the recognizer (decoder pool), the
 * synthesizer and prompt cache, the call store, and the registry of live calls with its limit.
 * One per process.
 */
export class CallEngine {
  readonly active = new Map<string, CallSession>();
  /** Set on shutdown: live calls finish, new ones are refused as busy. */
  draining = false;
  private readonly listeners = new Set<(summary: CallSummary) => void>();
  /** The store, with each measured turn also observed by the metrics. */
  private readonly recorder: CallRecorder;

  private constructor(
    readonly config: Config,
    readonly flows: Map<string, Flow>,
    private readonly grammars: Map<string, Map<string, QuestionGrammar>>,
    readonly recognizer: Recognizer,
    readonly prompts: PromptCache,
    /** The bot's voice as the synthesizer knows it (a flite voice, or the cloud voice id). */
    readonly voice: string,
    readonly store: CallStore,
    private readonly log: Logger,
    private readonly webhook: WebhookSender | undefined,
    private readonly metrics: Metrics | undefined,
  ) {
    this.recorder = metrics ? { ...bindRecorder(store), measured: (id, t) => (metrics.turn(t), store.measured(id, t)) } : store;
    webhook?.start();
    this.understandFallback = config.LLM_UNDERSTANDING
      ? (flow, question, text) =>
          llmUnderstand(flow, question, text, {
            apiKey: config.OPENAI_API_KEY!,
            baseUrl: config.OPENAI_BASE_URL,
            model: config.OPENAI_CHAT_MODEL,
            timeoutMs: config.LLM_TIMEOUT_MS,
          })
      : undefined;
  }

  static async create(config: Config, log: Logger, metrics?: Metrics): Promise<CallEngine> {
    const started = performance.now();
    const store = await openCallStore(config, log);
    const flows = loadFlows(config.FLOWS_DIR);
    const grammars = new Map([...flows.values()].map((f) => [f.id, buildFlowGrammars(f)]));
    const allGrammars = [...grammars.values()].flatMap((m) => [...m.values()]);
    const synth = new FliteSynthesizer();
    const firstFlow = [...flows.values()][0]!;
    const seedSpeech = concatInt16(await collect(synth.stream(firstFlow.greeting, { voice: config.TTS_VOICE })));
    const threads = config.ASR_THREADS;
    const asrOptions = {
      poolMinSize: Math.max(1, Math.ceil(config.ASR_POOL_MIN / Math.max(1, threads))),
      poolMaxSize: Math.max(1, Math.ceil(config.ASR_POOL_MAX / Math.max(1, threads))),
      garbageWeight: config.ASR_GARBAGE_WEIGHT,
      garbageLoopWeight: config.ASR_GARBAGE_LOOP_WEIGHT,
      maxGarbageSpeechMs: config.ASR_MAX_GARBAGE_SPEECH_MS,
      maxGarbageShare: config.ASR_MAX_GARBAGE_SHARE,
      minConfidence: config.ASR_MIN_CONFIDENCE,
      denoise: config.DENOISE,
      noisyAboveDbfs: config.NOISY_LINE_ABOVE_DBFS,
      noisyLineEnsemble: config.NOISY_LINE_ENSEMBLE,
      noiseCompensation: config.NOISE_COMPENSATION,
      shedAboveMs: config.ASR_SHED_ABOVE_MS,
      seedSpeech,
    };
    const embedded: Recognizer =
      threads > 0
        ? await ThreadedEmbeddedRecognizer.create(allGrammars, { ...asrOptions, threads }, log)
        : await EmbeddedRecognizer.create({ ...asrOptions, grammars: allGrammars });
    const recognizer = withConfiguredRecognizer(config, embedded, ({ provider, reason, error }) => {
      log.warn({ code: "asr_fallback", provider, reason, err: error }, "cloud recognizer failed; the embedded result is used");
      metrics?.providerFallbacks.inc({ stage: "asr", provider, reason });
    });
    const { synth: botVoice, voice } = createSynthesizer(config, ({ provider, reason, error }) => {
      log.warn({ code: "tts_fallback", provider, reason, err: error }, "cloud voice failed; the embedded voice speaks instead");
      metrics?.providerFallbacks.inc({ stage: "tts", provider, reason });
    });
    // Only the embedded voice's prompts go to disk: its audio depends on nothing but the text.
    const promptStore = config.PROMPT_CACHE && config.PROMPT_CACHE_DIR && botVoice.id === "flite" ? new DiskPromptStore(config.PROMPT_CACHE_DIR, fliteVersion()) : undefined;
    const prompts = new PromptCache(botVoice, { maxDynamicEntries: config.PROMPT_CACHE ? 200 : 0, store: promptStore });
    let warmed = 0;
    if (config.PROMPT_CACHE) {
      // Every fixed prompt in every format calls play (browsers 16 kHz, phone lines 8 kHz).
      for (const format of OUTPUT_FORMATS) for (const flow of flows.values()) warmed += await prompts.warm(fixedPrompts(flow), { voice, format });
    }
    log.info(
      { flows: [...flows.keys()], promptsCached: warmed, promptsFromDisk: prompts.loadedFromStore, tts: botVoice.id, voice, asrThreads: threads, ms: Math.round(performance.now() - started) },
      "call engine ready",
    );
    const webhook =
      config.LEAD_WEBHOOK_URL && config.LEAD_WEBHOOK_SECRET
        ? new WebhookSender(
            store,
            {
              secret: config.LEAD_WEBHOOK_SECRET,
              maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
              retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
              timeoutMs: config.WEBHOOK_TIMEOUT_MS,
              onAttempt: (result) => metrics?.webhookDeliveries.inc({ result }),
            },
            log,
          )
        : undefined;
    return new CallEngine(config, flows, grammars, recognizer, prompts, voice, store, log, webhook, metrics);
  }

  /** The LLM asked about free text the rules cannot decide (LLM_UNDERSTANDING), with its own timeout. */
  private readonly understandFallback: SessionDeps["understandFallback"];

  /** Session settings for a call on `channel` (browsers get their own audio lead). */
  settings(channel: Channel): SessionSettings {
    const c = this.config;
    return {
      endpointMode: c.ENDPOINT_MODE,
      endpointShortMs: c.ENDPOINT_SHORT_MS,
      endpointLongMs: c.ENDPOINT_LONG_MS,
      endpointFixedMs: c.ENDPOINT_FIXED_MS,
      noInputMs: c.NO_INPUT_MS,
      holdMs: c.HOLD_MS,
      bargeInMs: c.BARGE_IN_MS,
      minUtteranceMs: c.MIN_UTTERANCE_MS,
      vadThresholdDb: c.VAD_THRESHOLD_DB,
      audioLeadMs: channel === "browser" ? c.BROWSER_AUDIO_LEAD_MS : c.AUDIO_LEAD_MS,
      maxCallMs: c.MAX_CALL_MS,
      voice: this.voice,
      dtmfDigitTimeoutMs: c.DTMF_DIGIT_TIMEOUT_MS,
    };
  }

  /** Creates a session (not yet started) or says why not. */
  createCall(
    botId: string,
    channel: Channel,
    inputSampleRateHz: number,
    sink: SessionSink,
    line: Pick<SessionDeps, "carrierCallId" | "outputFormat" | "inputCodec"> = {},
  ): CallSession | StartCallError {
    const flow = this.flows.get(botId);
    if (!flow) return "unknown_bot";
    if (this.draining || this.active.size >= this.config.MAX_CALLS) return "busy";
    const session = new CallSession(
      {
        flow,
        grammars: this.grammars.get(flow.id)!,
        recognizer: this.recognizer,
        prompts: this.prompts,
        settings: this.settings(channel),
        channel,
        inputSampleRateHz,
        log: this.log,
        recorder: this.recorder,
        providers: { asr: this.recognizer.id, tts: `${this.prompts.providerId}:${this.voice}` },
        recordTimeoutMs: this.config.STORE_WRITE_TIMEOUT_MS,
        ...line,
        understandFallback: this.understandFallback,
      },
      sink,
    );
    this.active.set(session.callId, session);
    this.metrics?.activeCalls.set(this.active.size);
    void session.done.then((summary) => {
      this.active.delete(session.callId);
      this.metrics?.activeCalls.set(this.active.size);
      this.metrics?.calls.inc({ outcome: summary.outcome, channel, bot: summary.flowId });
      this.log.info(
        { callId: summary.callId, flow: summary.flowId, channel, outcome: summary.outcome, turns: summary.turns.length, ms: summary.durationMs, underruns: summary.playbackUnderruns },
        "call ended",
      );
      for (const l of this.listeners) l(summary);
    });
    return session;
  }

  /** Called with every finished call (the store subscribes here). */
  onCallEnded(listener: (summary: CallSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stop taking calls and wait (at most `timeoutMs`) for the live ones to end. Resolves with how many are still live. */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    const deadline = performance.now() + timeoutMs;
    while (this.active.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return this.active.size;
  }

  async close(): Promise<void> {
    const sessions = [...this.active.values()];
    for (const s of sessions) s.hangup("server shutting down");
    await this.recognizer.close();
    // Every call's last record (its end) is written before the store closes.
    await Promise.all(sessions.map((s) => s.recorded));
    await this.webhook?.stop();
    await this.store.close();
  }
}
