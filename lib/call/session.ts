import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Vad } from "../audio/vad";
import type { QuestionGrammar } from "../bot/grammar";
import type { Flow, Question } from "../bot/flow-schema";
import { fixedPrompts, initialState, transition, type Action, type MachineEvent, type MachineState, type Outcome } from "../bot/machine";
import type { Understanding } from "../bot/types";
import { isBackchannel, isCompleteAnswer, understand } from "../bot/understand";
import { keypadDigit, keypadEnd } from "../bot/dtmf";
import { byMeaning } from "../asr/alternatives";
import { ASR_SAMPLE_RATE_HZ, type InputCodec, type Recognizer, type RecognizerStream, type SpeakerState } from "../asr/types";
import type { PromptCache } from "../tts/prompt-cache";
import { formatRateHz, type OutputFormat, type SynthesisOptions } from "../tts/types";
import type { CallState, Channel, InterruptReason, ServerMessage, TurnSource, TurnStages } from "../transport/protocol";
import { PauseGate, type CallerChunk } from "./pause-gate";
import type { CallRecorder } from "./recorder";
import { Speaker } from "./speaker";
import { SpeechTracker } from "./speech-tracker";

export interface SessionSettings {
  endpointMode: "grammar" | "fixed";
  endpointShortMs: number;
  endpointLongMs: number;
  endpointFixedMs: number;
  noInputMs: number;
  /** The no-input wait after the caller asked for a moment ("hold on"). */
  holdMs: number;
  bargeInMs: number;
  minUtteranceMs: number;
  vadThresholdDb: number;
  /** How far ahead of real time bot audio is sent (the engine picks it per channel). */
  audioLeadMs: number;
  maxCallMs: number;
  voice: string;
  /** A keyed number ends after this pause without "#". */
  dtmfDigitTimeoutMs: number;
}

export interface SessionDeps {
  flow: Flow;
  grammars: Map<string, QuestionGrammar>;
  recognizer: Recognizer;
  prompts: PromptCache;
  settings: SessionSettings;
  channel: Channel;
  /** The rate the client declared (its audio is resampled to 16 kHz before it reaches the session). */
  inputSampleRateHz: number;
  /** What the call plays (default `pcm_16000`; 8 kHz phone lines play `ulaw_8000`). */
  outputFormat?: OutputFormat;
  /** The carrier's own audio codec, when the recognizer can take it as it is (Twilio: G.711 μ-law). */
  inputCodec?: InputCodec;
  log: Logger;
  now?: () => number;
  /** Where the call is recorded as it happens (none: not recorded). */
  recorder?: CallRecorder;
  /** Engines used, stored with the call. */
  providers?: Record<string, string>;
  /** How long a reply waits for its turn's record before it plays anyway. */
  recordTimeoutMs?: number;
  /** The carrier's id for a phone call (Twilio CallSid, Exotel call_sid), stored with the record. */
  carrierCallId?: string;
  /** Asked about free text the rules could not decide (an LLM); undefined = still not understood. */
  understandFallback?: (flow: Flow, question: Question, text: string) => Promise<Understanding | undefined>;
}

export interface SessionSink {
  message(m: ServerMessage): void;
  /** A 20 ms frame of bot audio, PCM16 at the call's output rate. */
  audio(samples: Int16Array): void;
}

export interface TurnRecord {
  turnId: number;
  questionId: string | null;
  prompt: string;
  heard: string;
  understood: string;
  confidence: number | null;
  source: TurnSource;
  stages: TurnStages | null;
  voiceToVoiceMs: number | null;
  /** The recognizer that heard a spoken turn (absent for typed and keyed turns). */
  asrProvider?: string;
  /** Who spoke the bot's reply to this turn: the configured voice, or the fallback. */
  ttsProvider?: string;
}

export interface CallSummary {
  callId: string;
  flowId: string;
  channel: Channel;
  outcome: Outcome | "dropped";
  reason: string;
  answers: MachineState["answers"];
  turns: TurnRecord[];
  durationMs: number;
  /** How the call ended: the flow reached an outcome, the maximum duration cut it, or the client went away. */
  endedBy: "flow" | "timeout" | "hangup";
  /** Playback underruns the client reported over the call (null when it reported none at all). */
  playbackUnderruns: number | null;
}

const PRE_ROLL_MS = 300;
/**
 * Of a pause in the caller's speech, the recognizer hears this much (PauseGate). Decoding the
 * whole long end-of-turn window cost up to a quarter of the recognizer's CPU on those turns, and
 * they are the heaviest load: when decoding lags, partials lag and the long window applies.
 */
const PAUSE_HEARD_MS = 300;
/**
 * Silence after which the recognizer is told the caller has paused, so that a recognizer behind
 * real time catches this utterance up first: the end of turn is decided on its partial, ENDPOINT_
 * SHORT_MS into the pause. Longer than the gaps inside words (stop closures).
 */
const PAUSED_HINT_MS = 60;
/** The call store keeps counts in Postgres `integer` columns. */
const INT32_MAX = 2_147_483_647;
/** Speech over the bot shorter than this that is no answer is a backchannel: the bot resumes. */
const BACKCHANNEL_MAX_MS = 1200;
/** Resume a little before the cut, so the caller hears the interrupted words again. */
const RESUME_REWIND_MS = 400;

function describe(u: Understanding): string {
  switch (u.kind) {
    case "answer":
      return `answer:${String(u.value)}`;
    case "intent":
      return `intent:${u.intent}`;
    case "faq":
      return `faq:${u.faqId}`;
    case "no_match":
      return "no_match";
  }
}

/** A caller turn being measured, from its last voiced sample to the bot's first reply frame. */
interface PendingTurn {
  record: TurnRecord;
  lastVoicedAt: number | null;
  endpointAt: number;
  asrMs: number;
  decisionMs: number;
  replyRequestedAt: number;
  ttsFirstAudioMs: number | null;
}

/**
 * One call: caller audio in → VAD/endpointing → recognizer → understanding → state machine →
 * prompts → paced bot audio out, with barge-in. Transports translate their wire format to
 * `pushAudio` / `typed` / `interrupt` / `hangup` and deliver what the sink receives.
 */
export class CallSession {
  readonly callId = randomUUID();
  private readonly now: () => number;
  private readonly startedAt: number;
  private machine: MachineState = initialState();
  private state: CallState = "thinking";
  private question: Question | undefined;
  /** The caller asked for a moment at this question: no-input waits `holdMs`. */
  private holding = false;
  private readonly vad: Vad;
  private readonly tracker: SpeechTracker;
  private readonly speaker: Speaker;
  private stream: RecognizerStream | undefined;
  private lastPartial = "";
  private preRoll: CallerChunk[] = [];
  private readonly pauseGate = new PauseGate(PAUSE_HEARD_MS);
  private readonly outputRateHz: number;
  private preRollSamples = 0;
  private receivedSamples = 0;
  private lastVoicedAt = 0;
  private turnId = 0;
  private botTurnId = 0;
  private botSpeaking = false;
  private botTurnText = "";
  private botTurnTexts: string[] = [];
  private botTurnEnds = false;
  /** The bot turn a barge-in cut, kept so a backchannel ("uh huh") or cough can resume it. */
  private interrupted: { texts: string[]; playedMs: number; thenEnd: boolean } | undefined;
  private pending: PendingTurn | undefined;
  private finalizing = false;
  private noInputTimer: NodeJS.Timeout | undefined;
  /** Digits keyed so far for an amount, and the pause that ends them. */
  private keyed = "";
  private keyedTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private readonly turns: TurnRecord[] = [];
  /** What the recognizer learns about this caller's voice and line across the call. */
  private readonly caller: SpeakerState = {};
  private ended = false;
  private endPromise: Promise<CallSummary>;
  private resolveEnd!: (s: CallSummary) => void;
  private speakChain: Promise<void> = Promise.resolve();
  private summaryOutcome: { outcome: Outcome | "dropped"; reason: string } | undefined;
  private endedBy: CallSummary["endedBy"] = "flow";
  /** The client's latest playback report: what the caller has really heard of a bot turn. */
  private heard: { turnId: number; playedMs: number; at: number } | undefined;
  private underrunsByTurn = new Map<number, number>();
  /** Record writes, one after another in call order. */
  private recordQueue: Promise<void> = Promise.resolve();
  /** A finished caller turn not yet handed to the recorder. */
  private unrecorded: TurnRecord | undefined;
  /** The pending write of the turn the next bot turn replies to: the reply waits for it. */
  private turnWrite: Promise<void> | undefined;

  constructor(
    private readonly deps: SessionDeps,
    private readonly sink: SessionSink,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.vad = new Vad({ sampleRateHz: ASR_SAMPLE_RATE_HZ, thresholdDb: deps.settings.vadThresholdDb });
    this.tracker = new SpeechTracker({ sampleRateHz: ASR_SAMPLE_RATE_HZ, minSpeechMs: 60 });
    this.outputRateHz = formatRateHz(deps.outputFormat);
    this.speaker = new Speaker({ frame: (f) => this.sink.audio(f) }, deps.settings.audioLeadMs, this.now, this.outputRateHz);
    this.endPromise = new Promise((resolve) => (this.resolveEnd = resolve));
  }

  /** Resolves when the call is over (any way), with what happened. */
  get done(): Promise<CallSummary> {
    return this.endPromise;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Resolves once every record write issued so far has finished (or failed and been logged). */
  get recorded(): Promise<void> {
    return this.recordQueue;
  }

  private record(what: string, write: (r: CallRecorder) => Promise<void>): Promise<void> {
    const recorder = this.deps.recorder;
    if (!recorder) return Promise.resolve();
    const next = this.recordQueue
      .then(() => write(recorder))
      .catch((err: unknown) => this.deps.log.error({ err, callId: this.callId, code: "store_write_failed", what }, "call record write failed"));
    this.recordQueue = next;
    return next;
  }

  start(): void {
    const { flow } = this.deps;
    this.sink.message({
      type: "ready",
      protocol: 1,
      callId: this.callId,
      bot: flow.id,
      botName: flow.name,
      inputSampleRateHz: this.deps.inputSampleRateHz,
      outputSampleRateHz: this.outputRateHz,
      questions: flow.questions.map((q) => ({ id: q.id, prompt: q.prompt })),
    });
    this.record("call", (r) =>
      r.started({
        callId: this.callId,
        flowId: flow.id,
        flowVersion: flow.version,
        channel: this.deps.channel,
        startedAt: new Date(),
        providers: this.deps.providers ?? {},
        carrierCallId: this.deps.carrierCallId ?? null,
      }),
    );
    if (this.deps.settings.maxCallMs > 0) {
      this.maxTimer = setTimeout(() => this.onMaxDuration(), this.deps.settings.maxCallMs);
    }
    this.dispatch({ type: "start", keypad: this.deps.channel === "twilio" || this.deps.channel === "exotel" });
  }

  private setState(state: CallState): void {
    if (this.state === state) return;
    this.state = state;
    this.sink.message({ type: "state", state });
  }

  // ---------------------------------------------------------------- caller audio

  /**
   * 16 kHz PCM16 caller audio, as it arrives; `coded` is the same audio in the carrier's codec
   * (`inputCodec`), handed to a recognizer that takes it as it is.
   */
  pushAudio(samples: Int16Array, coded?: Uint8Array): void {
    if (this.ended || samples.length === 0) return;
    const arrivedAt = this.now();
    const chunkEnd = this.receivedSamples + samples.length;
    this.receivedSamples = chunkEnd;
    this.keepPreRoll(samples, coded);
    // The VAD sees every sample, so its sample positions stay those of the call's audio (the
    // silence before end of turn is measured in them), and its noise floor keeps tracking.
    const frames = this.vad.process(samples);
    if (this.machine.phase !== "asking" || this.finalizing) return;

    const events = this.tracker.update(frames, () => ASR_SAMPLE_RATE_HZ / 100);
    for (const e of events) {
      const sample = e.type === "start" ? this.tracker.lastVoicedSample : e.endSample;
      this.lastVoicedAt = arrivedAt - ((chunkEnd - sample) / ASR_SAMPLE_RATE_HZ) * 1000;
      if (e.type === "start") this.onSpeechStart();
    }
    if (!this.stream) return;
    const silenceMs = ((chunkEnd - this.tracker.lastVoicedSample) / ASR_SAMPLE_RATE_HZ) * 1000;
    for (const heard of this.pauseGate.pass({ samples, coded }, silenceMs)) this.stream.push(heard.samples, heard.coded);
    this.stream.paused?.(silenceMs >= PAUSED_HINT_MS);
    const partial = this.stream.partial;
    if (partial && partial !== this.lastPartial) {
      this.lastPartial = partial;
      this.sink.message({ type: "transcript", turnId: this.turnId, final: false, text: partial, source: "speech" });
    }
    if (this.botSpeaking && this.tracker.voicedMs() >= this.deps.settings.bargeInMs) this.bargeIn("barge_in");
    const windowMs = this.endpointWindowMs(partial);
    if (silenceMs >= windowMs) void this.endOfTurn({ partial, windowMs, receivedMs: Math.round((chunkEnd / ASR_SAMPLE_RATE_HZ) * 1000) });
  }

  private keepPreRoll(samples: Int16Array, coded: Uint8Array | undefined): void {
    this.preRoll.push({ samples, coded });
    this.preRollSamples += samples.length;
    const max = (PRE_ROLL_MS / 1000) * ASR_SAMPLE_RATE_HZ;
    while (this.preRoll.length > 1 && this.preRollSamples - this.preRoll[0]!.samples.length >= max) {
      this.preRollSamples -= this.preRoll.shift()!.samples.length;
    }
  }

  private endpointWindowMs(partial: string): number {
    const s = this.deps.settings;
    if (s.endpointMode === "fixed") return s.endpointFixedMs;
    if (this.question && partial && isCompleteAnswer(this.deps.flow, this.question, partial)) return s.endpointShortMs;
    return s.endpointLongMs;
  }

  private onSpeechStart(): void {
    if (!this.question) return;
    this.clearNoInput();
    this.turnId++;
    this.lastPartial = "";
    this.pauseGate.reset();
    const grammar = this.deps.grammars.get(this.question.id)!;
    this.stream = this.deps.recognizer.start(grammar, this.caller, { codec: this.deps.inputCodec, inputSampleRateHz: this.deps.inputSampleRateHz });
    // The pre-roll holds the audio just before the VAD fired (soft onsets, the frame being pushed).
    for (const chunk of this.preRoll.slice(0, -1)) this.stream.push(chunk.samples, chunk.coded);
  }

  private async endOfTurn(endpoint?: { partial: string; windowMs: number; receivedMs: number }): Promise<void> {
    const stream = this.stream;
    if (!stream || this.finalizing) return;
    const endpointAt = this.now();
    const lastVoicedAt = this.lastVoicedAt;
    const voicedMs = this.tracker.voicedMs();
    this.stream = undefined;
    this.pauseGate.reset();
    this.tracker.endUtterance();
    const wasSpeaking = this.botSpeaking;
    if (wasSpeaking && voicedMs < this.deps.settings.bargeInMs) {
      // A blip or backchannel under the barge-in threshold while the bot talks: not a turn.
      stream.cancel();
      return;
    }
    this.finalizing = true;
    this.setState("thinking");
    let result;
    try {
      result = byMeaning(await stream.finish(), (text) => JSON.stringify(understand(this.deps.flow, this.question!, text)));
    } catch (err) {
      this.deps.log.error({ err, callId: this.callId, code: "asr_failed" }, "recognizer failed");
      result = { text: "", confidence: 0, rejected: true, audioMs: 0, finalizeMs: 0, provider: "none" };
    }
    this.finalizing = false;
    if (this.ended) return;
    const asrDoneAt = this.now();
    const resumable = this.interrupted;
    this.interrupted = undefined;
    const backchannel = !result.rejected && isBackchannel(result.text);
    if (resumable && (result.rejected || backchannel) && voicedMs < BACKCHANNEL_MAX_MS) {
      // Speech over the bot that was no answer at all (a backchannel, a cough): carry on talking
      // from a little before where it was cut, without counting a reprompt.
      this.deps.log.debug({ callId: this.callId, voicedMs, heard: result.text }, "resuming after backchannel");
      this.backchannelHeard(result.text);
      this.say(resumable.texts, resumable.thenEnd, Math.max(0, resumable.playedMs - RESUME_REWIND_MS));
      return;
    }
    const decideStart = this.now();
    let understanding: Understanding = result.rejected ? { kind: "no_match" } : understand(this.deps.flow, this.question!, result.text);
    // A backchannel that answers nothing (the question is not yes/no) is the caller listening or
    // thinking, and short noise is no turn: keep waiting for the answer rather than reprompting.
    const ignoredBackchannel = backchannel && understanding.kind === "no_match";
    if (ignoredBackchannel || (result.rejected && voicedMs < this.deps.settings.minUtteranceMs)) {
      this.deps.log.debug({ callId: this.callId, voicedMs, heard: result.text }, ignoredBackchannel ? "ignored backchannel" : "ignored short noise");
      if (ignoredBackchannel) this.backchannelHeard(result.text);
      this.setState(this.botSpeaking ? "speaking" : "listening");
      if (!this.botSpeaking) this.armNoInput();
      return;
    }
    this.deps.log.debug(
      {
        callId: this.callId,
        turn: this.turnId,
        heard: result.text,
        rejectedText: result.rejectedText,
        confidence: result.confidence,
        garbageSpeechMs: result.garbageSpeechMs,
        speechMs: result.speechMs,
        passes: result.passes,
        frontEnds: result.frontEnds,
        compensated: result.compensated,
        votes: result.votes,
        audioMs: Math.round(result.audioMs),
        voicedMs,
        endpoint,
      },
      "recognized",
    );
    if (understanding.kind === "no_match" && result.text && this.deps.understandFallback) {
      this.finalizing = true;
      understanding = (await this.deps.understandFallback(this.deps.flow, this.question!, result.text)) ?? understanding;
      this.finalizing = false;
      if (this.ended) return;
    }
    this.sink.message({
      type: "transcript",
      turnId: this.turnId,
      final: true,
      text: result.text,
      source: "speech",
      confidence: result.confidence,
      understood: describe(understanding),
    });
    this.applyTurn(understanding, decideStart, {
      source: "speech",
      heard: result.text,
      confidence: result.confidence,
      lastVoicedAt,
      endpointAt,
      asrMs: asrDoneAt - endpointAt,
      asrProvider: result.provider,
    });
  }

  /** The final transcript of a turn that was only a backchannel (or noise, with empty text). */
  private backchannelHeard(text: string): void {
    this.sink.message({ type: "transcript", turnId: this.turnId, final: true, text, source: "speech", understood: "backchannel" });
  }

  // ---------------------------------------------------------------- typed answers / control

  typed(text: string): void {
    // While a turn is being decided by the fallback, a typed answer waits for the next question.
    if ((this.finalizing && this.deps.understandFallback) || !this.takeAnswerWithoutSpeech("typed")) return;
    const question = this.question!;
    const understanding = understand(this.deps.flow, question, text);
    const fallback = this.deps.understandFallback;
    if (understanding.kind !== "no_match" || !fallback) return this.answered(text, "text", understanding);
    // Free text the rules cannot decide: ask the fallback (bounded by its own timeout) first.
    this.finalizing = true;
    void fallback(this.deps.flow, question, text).then((u) => {
      this.finalizing = false;
      if (!this.ended && this.question === question) this.answered(text, "text", u ?? understanding);
    });
  }

  /** A key the caller pressed on the phone (DTMF): "0"–"9", "*", "#". */
  keypad(digit: string): void {
    const question = this.question;
    if (!question || !this.takeAnswerWithoutSpeech("keypad")) return;
    this.clearKeyed();
    const step = keypadDigit(question, this.keyed, digit);
    if (step.kind === "done") {
      const digits = this.keyed + digit;
      this.keyed = "";
      return this.answered(digits, "dtmf", step.understanding);
    }
    this.keyed = step.digits;
    this.keyedTimer = setTimeout(() => {
      this.keyedTimer = undefined;
      const digits = this.keyed;
      this.keyed = "";
      if (!this.ended && this.question === question) this.answered(digits, "dtmf", keypadEnd(question, digits));
    }, this.deps.settings.dtmfDigitTimeoutMs);
  }

  /** An answer that is not speech is coming: drop any utterance in progress and stop the bot. False when no question is open. */
  private takeAnswerWithoutSpeech(reason: "typed" | "keypad"): boolean {
    if (this.ended || this.machine.phase !== "asking" || !this.question) return false;
    this.clearNoInput();
    if (this.stream) {
      this.stream.cancel();
      this.stream = undefined;
      this.tracker.endUtterance();
    }
    if (this.botSpeaking) this.bargeIn(reason);
    return true;
  }

  private answered(text: string, source: "text" | "dtmf", understanding: Understanding): void {
    this.turnId++;
    const at = this.now();
    this.sink.message({ type: "transcript", turnId: this.turnId, final: true, text, source, understood: describe(understanding) });
    this.applyTurn(understanding, at, { source, heard: text, confidence: null, lastVoicedAt: null, endpointAt: at, asrMs: 0 });
  }

  private clearKeyed(): void {
    if (this.keyedTimer) clearTimeout(this.keyedTimer);
    this.keyedTimer = undefined;
  }

  /** The caller is typing: restart the no-input wait if it is running. */
  typing(): void {
    if (this.ended || !this.noInputTimer) return;
    this.clearNoInput();
    this.armNoInput();
  }

  /** The client asked the bot to stop talking. */
  interrupt(): void {
    if (this.botSpeaking) this.bargeIn("client");
  }

  /**
   * The client's playback position in a bot turn. Its jitter buffer and any underruns put the
   * caller behind the server's clock, so where the bot is cut off (and resumed after a
   * backchannel) follows this report when there is one.
   */
  playback(report: { turnId: number; playedMs: number; underruns: number }): void {
    if (this.ended || report.turnId < 1 || report.turnId > this.botTurnId) return;
    this.heard = { turnId: report.turnId, playedMs: report.playedMs, at: this.now() };
    if (report.underruns > (this.underrunsByTurn.get(report.turnId) ?? 0)) {
      this.deps.log.info({ callId: this.callId, turnId: report.turnId, playedMs: report.playedMs, underruns: report.underruns }, "playback underrun");
    }
    this.underrunsByTurn.set(report.turnId, report.underruns);
  }

  /** How much of the current bot turn the caller has heard: the client's report when it has one. */
  private heardMs(serverPlayedMs: number): number {
    const h = this.heard;
    if (!h || h.turnId !== this.botTurnId) return serverPlayedMs;
    return Math.min(serverPlayedMs, h.playedMs + (this.now() - h.at));
  }

  private bargeIn(reason: InterruptReason): void {
    const outcome = this.speaker.interrupt();
    this.botSpeaking = false;
    const playedMs = this.heardMs(outcome?.playedMs ?? 0);
    this.interrupted = reason === "barge_in" ? { texts: this.botTurnTexts, playedMs, thenEnd: this.botTurnEnds } : undefined;
    this.sink.message({ type: "interrupt", turnId: this.botTurnId, reason, playedMs: Math.round(playedMs) });
    this.deps.log.debug({ callId: this.callId, reason, playedMs }, "bot interrupted");
    if (this.state === "speaking") this.setState("listening");
    // Stopped by the client (not by speech or a typed answer): wait for an answer as after a prompt.
    if (reason === "client") this.armNoInput();
  }

  // ---------------------------------------------------------------- machine and replies

  private applyTurn(
    understanding: Understanding,
    decideStart: number,
    t: { source: TurnSource; heard: string; confidence: number | null; lastVoicedAt: number | null; endpointAt: number; asrMs: number; asrProvider?: string },
  ): void {
    const record: TurnRecord = {
      turnId: this.turnId,
      questionId: this.question?.id ?? null,
      prompt: this.botTurnText,
      heard: t.heard,
      understood: describe(understanding),
      confidence: t.confidence,
      source: t.source,
      stages: null,
      voiceToVoiceMs: null,
      ...(t.asrProvider && { asrProvider: t.asrProvider }),
    };
    this.turns.push(record);
    this.unrecorded = record;
    this.pending = {
      record,
      lastVoicedAt: t.lastVoicedAt,
      endpointAt: t.endpointAt,
      asrMs: t.asrMs,
      decisionMs: 0,
      replyRequestedAt: 0,
      ttsFirstAudioMs: null,
    };
    this.dispatch({ type: "understood", understanding }, decideStart);
  }

  private dispatch(event: MachineEvent, decideStart = this.now()): void {
    const { state, actions } = transition(this.deps.flow, this.machine, event);
    this.machine = state;
    if (this.pending && this.pending.replyRequestedAt === 0) {
      this.pending.decisionMs = this.now() - decideStart;
      this.pending.replyRequestedAt = this.now();
    }
    this.run(actions);
  }

  private run(actions: Action[]): void {
    const texts: string[] = [];
    let endAction: Extract<Action, { type: "end" }> | undefined;
    for (const a of actions) {
      if (a.type === "say") texts.push(a.text);
      else if (a.type === "listen") {
        this.question = this.deps.flow.questions.find((q) => q.id === a.questionId);
        this.holding = a.hold === true;
        // Digits keyed for the last question (answered by voice meanwhile) do not carry over.
        this.keyed = "";
        this.clearKeyed();
      }
      else if (a.type === "record") this.sink.message({ type: "answer", questionId: a.questionId, value: a.value, meetsRule: a.meetsRule });
      else endAction = a;
    }
    if (endAction) {
      this.question = undefined;
      this.summaryOutcome = { outcome: endAction.outcome, reason: endAction.reason };
      const outcomes = this.deps.flow.outcomes;
      const { label, message } = {
        qualified: outcomes.qualified,
        not_qualified: outcomes.notQualified,
        transfer: outcomes.transfer,
        stopped: outcomes.stopped,
        incomplete: outcomes.incomplete,
      }[endAction.outcome];
      this.sink.message({
        type: "result",
        outcome: endAction.outcome,
        label,
        reason: endAction.reason,
        answers: this.machine.answers,
        message,
        durationMs: Math.round(this.now() - this.startedAt),
      });
    }
    const turn = this.unrecorded;
    if (turn) {
      this.unrecorded = undefined;
      const answers = { ...this.machine.answers };
      this.turnWrite = this.record("turn", (r) => r.turn(this.callId, turn, answers));
    }
    if (texts.length > 0) this.say(texts, endAction !== undefined);
    else if (endAction) this.finish();
  }

  private say(texts: string[], thenEnd: boolean, skipMs = 0): void {
    const turnId = ++this.botTurnId;
    const text = texts.join(" ");
    this.botTurnText = text;
    this.botTurnTexts = texts;
    this.botTurnEnds = thenEnd;
    // Who speaks this turn (a cloud voice may hand a sentence to the fallback): recorded with the turn.
    const servedBy: string[] = [];
    const options: SynthesisOptions = { voice: this.deps.settings.voice, format: this.deps.outputFormat, served: (id) => void (servedBy.includes(id) || servedBy.push(id)) };
    const prompts = this.deps.prompts;
    const rateHz = this.outputRateHz;
    const pending = this.pending;
    this.pending = undefined;
    const audio = async function* () {
      let skip = Math.round((skipMs / 1000) * rateHz);
      for (const t of texts) {
        for await (const chunk of prompts.speak(t, options)) {
          if (skip >= chunk.length) {
            skip -= chunk.length;
            continue;
          }
          yield skip > 0 ? chunk.subarray(skip) : chunk;
          skip = 0;
        }
      }
    };
    let requestedAt = this.now();
    let recordMs: number | undefined;
    const turnWrite = this.turnWrite;
    this.turnWrite = undefined;
    let firstChunkAt: number | null = null;
    const timed = async function* (now: () => number) {
      for await (const chunk of audio()) {
        if (firstChunkAt === null) firstChunkAt = now();
        yield chunk;
      }
    };
    this.speakChain = this.speakChain.then(async () => {
      if (turnWrite) {
        // The caller's turn is on disk before the reply to it plays (bounded: a slow store
        // delays the reply, it never silences the call).
        const t0 = this.now();
        await this.withinRecordTimeout(turnWrite);
        requestedAt = this.now();
        recordMs = requestedAt - t0;
      }
      if (this.ended) return;
      this.clearNoInput();
      this.sink.message({ type: "bot_text", turnId, text });
      this.sink.message({ type: "audio_start", turnId, sampleRateHz: this.outputRateHz });
      this.botSpeaking = true;
      this.setState("speaking");
      const outcome = await this.speaker.play(timed(this.now), () => this.onFirstFrame(pending, requestedAt, firstChunkAt, recordMs, servedBy));
      this.botSpeaking = false;
      this.sink.message({ type: "audio_end", turnId, durationMs: Math.round(outcome.durationMs) });
      if (this.ended) return;
      if (thenEnd) {
        this.finish();
        return;
      }
      if (outcome.kind === "played" && this.state === "speaking") {
        this.setState("listening");
        this.armNoInput();
      }
    });
  }

  private async withinRecordTimeout(write: Promise<void>): Promise<void> {
    const timeoutMs = this.deps.recordTimeoutMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.deps.log.warn({ callId: this.callId, code: "store_slow", timeoutMs }, "turn record not written in time; replying anyway");
        resolve();
      }, timeoutMs);
    });
    await Promise.race([write, late]);
    clearTimeout(timer);
  }

  private onFirstFrame(pending: PendingTurn | undefined, requestedAt: number, firstChunkAt: number | null, recordMs: number | undefined, servedBy: string[]): void {
    if (!pending) return;
    if (servedBy.length) pending.record.ttsProvider = servedBy.join("+");
    const sentAt = this.now();
    const stages: TurnStages = {
      endpointMs: pending.lastVoicedAt === null ? 0 : round(pending.endpointAt - pending.lastVoicedAt),
      asrMs: round(pending.asrMs),
      decisionMs: round(pending.decisionMs),
      ttsFirstAudioMs: round(Math.max(0, (firstChunkAt ?? sentAt) - requestedAt)),
      ...(recordMs !== undefined && { recordMs: round(recordMs) }),
    };
    const voiceToVoiceMs = round(sentAt - (pending.lastVoicedAt ?? pending.endpointAt));
    pending.record.stages = stages;
    pending.record.voiceToVoiceMs = voiceToVoiceMs;
    this.sink.message({
      type: "metrics",
      turnId: pending.record.turnId,
      questionId: pending.record.questionId,
      source: pending.record.source,
      stages,
      voiceToVoiceMs,
    });
    this.deps.log.info({ callId: this.callId, turn: pending.record.turnId, voiceToVoiceMs, ...stages }, "turn");
    const record = pending.record;
    this.record("metrics", (r) => r.measured(this.callId, record));
  }

  private armNoInput(): void {
    this.clearNoInput();
    const waitMs = this.holding ? this.deps.settings.holdMs : this.deps.settings.noInputMs;
    if (this.machine.phase !== "asking" || waitMs <= 0) return;
    this.noInputTimer = setTimeout(() => {
      this.noInputTimer = undefined;
      if (this.ended || this.stream || this.finalizing || this.botSpeaking) return;
      this.turnId++;
      const record: TurnRecord = {
        turnId: this.turnId,
        questionId: this.question?.id ?? null,
        prompt: this.botTurnText,
        heard: "",
        understood: "no_input",
        confidence: null,
        source: "speech",
        stages: null,
        voiceToVoiceMs: null,
      };
      this.turns.push(record);
      this.unrecorded = record;
      this.dispatch({ type: "no_input" });
    }, waitMs);
  }

  private clearNoInput(): void {
    if (this.noInputTimer) clearTimeout(this.noInputTimer);
    this.noInputTimer = undefined;
  }

  private onMaxDuration(): void {
    this.maxTimer = undefined;
    if (this.ended) return;
    this.deps.log.warn({ code: "call_too_long", callId: this.callId, maxCallMs: this.deps.settings.maxCallMs }, "call reached its maximum duration");
    this.sink.message({ type: "error", code: "call_too_long", message: `calls last at most ${this.deps.settings.maxCallMs} ms` });
    if (this.botSpeaking) this.bargeIn("timeout");
    this.stream?.cancel();
    this.stream = undefined;
    this.endedBy = "timeout";
    this.dispatch({ type: "timeout" });
  }

  // ---------------------------------------------------------------- ending

  private finish(): void {
    if (this.ended) return;
    this.setState("ended");
    this.release();
  }

  /** The transport is gone (client vanished or hung up): release everything now. */
  hangup(reason: string): void {
    if (this.ended) return;
    if (!this.summaryOutcome) this.summaryOutcome = { outcome: "dropped", reason };
    this.endedBy = "hangup";
    this.release();
  }

  private release(): void {
    this.ended = true;
    this.clearNoInput();
    this.clearKeyed();
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.maxTimer = undefined;
    this.speaker.close();
    this.stream?.cancel();
    this.stream = undefined;
    this.preRoll = [];
    const s = this.summaryOutcome ?? { outcome: "dropped" as const, reason: "ended" };
    const summary: CallSummary = {
      callId: this.callId,
      flowId: this.deps.flow.id,
      channel: this.deps.channel,
      outcome: s.outcome,
      reason: s.reason,
      answers: this.machine.answers,
      turns: this.turns,
      durationMs: round(this.now() - this.startedAt),
      endedBy: this.endedBy,
      playbackUnderruns: this.underrunsByTurn.size ? Math.min(INT32_MAX, [...this.underrunsByTurn.values()].reduce((a, b) => a + b, 0)) : null,
    };
    const turn = this.unrecorded;
    this.unrecorded = undefined;
    if (turn) this.record("turn", (r) => r.turn(this.callId, turn, { ...summary.answers }));
    this.record("end", (r) => r.ended(summary));
    this.resolveEnd(summary);
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Every prompt a flow can say, for warming the prompt cache. */
export const promptsOf = fixedPrompts;
