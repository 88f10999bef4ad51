import type { QuestionGrammar } from "../bot/grammar";

/** Caller audio reaches recognizers as 16 kHz mono PCM16; transports resample at the edge. */
export const ASR_SAMPLE_RATE_HZ = 16000;

export interface RecognitionResult {
  /** What was heard, lowercase words; empty when nothing in the grammar matched. */
  text: string;
  /** 0..1; the mean word posterior for the embedded engine. */
  confidence: number;
  /** Speech that is not in the grammar (or nothing usable): the caller is reprompted. */
  rejected: boolean;
  /** What the grammar matched before the utterance was rejected (for logs and tuning). */
  rejectedText?: string;
  /** Speech-level audio in the utterance, and how much of it the out-of-grammar model took (embedded engine). */
  speechMs?: number;
  garbageSpeechMs?: number;
  /** Whether noise suppression ran on this utterance (the embedded engine denoises noisy lines only). */
  denoised?: boolean;
  /** Whether the acoustic model was moved into the line's noise for it (the embedded engine does so on noisy lines). */
  compensated?: boolean;
  /** Decoding passes the engine needed (the embedded engine decodes twice when unsure). */
  passes?: number;
  /** Front ends that decoded the utterance at once (the embedded engine decodes noisy lines several ways). */
  frontEnds?: number;
  /**
   * Every accepted hypothesis when several front ends decoded the utterance, `text` being the
   * one their words agree on most; `byMeaning` (alternatives.ts) picks by what they mean instead.
   */
  alternatives?: Array<{ text: string; confidence: number; /** Its say in the vote when not its confidence (a discounted front end). */ weight?: number }>;
  /**
   * Every front end's decode when several decoded the utterance, accepted or not, in front-end
   * order (for logs and for tuning the vote offline: bench/understanding.ts --sweep).
   */
  votes?: FrontEndVote[];
  /**
   * With `votes`: this many front ends that agree on what the caller meant, each within its
   * looser agreement limits (`FrontEndVote.agrees`), make that the answer, whatever the vote
   * decided (`byMeaning`, alternatives.ts, which knows meanings).
   */
  agreementFrontEnds?: number;
  /** Audio the recognizer decoded for this utterance. */
  audioMs: number;
  /** Time from `finish()` to the result. */
  finalizeMs: number;
  /** Which provider produced it. */
  provider: string;
}

/** One front end's decode of an utterance (the embedded engine on noisy lines). */
export interface FrontEndVote {
  text: string;
  confidence: number;
  speechMs: number;
  garbageSpeechMs: number;
  /** Decoded by a model moved into the line's noise. */
  compensated: boolean;
  /** It failed its rejection limits, so it had no say in the vote. */
  rejected: boolean;
  /** Its confidence counts this much in the vote (1 when absent). */
  weight?: number;
  /** It heard words and stays within the agreement limits (see RecognitionResult.agreementFrontEnds). */
  agrees?: boolean;
}

/**
 * A carrier codec a recognizer may take as it is, saving the transcode to 16 kHz PCM:
 * `g711_ulaw` is 8 kHz G.711 μ-law, what Twilio streams (and OpenAI Realtime accepts).
 */
export type InputCodec = "g711_ulaw";

export interface RecognizerStartOptions {
  /** The call's audio also arrives in this codec (each `push` then carries the coded bytes). */
  codec?: InputCodec;
  /** The rate the caller's audio had before it was resampled to 16 kHz: 8000 on phone lines. */
  inputSampleRateHz?: number;
}

export interface RecognizerStream {
  /**
   * Feeds 16 kHz PCM16; never blocks for long (the embedded engine decodes ~70× real time).
   * `coded` is the same audio as the carrier sent it, in the codec named at `start`.
   */
  push(samples: Int16Array, coded?: Uint8Array): void;
  /**
   * The caller has paused (true) or spoken again (false). Optional hint: the end of turn is
   * decided on the partial of a paused utterance, so an engine running behind real time catches
   * those up first, and one that refreshes its partial only now and then keeps it current.
   */
  paused?(paused: boolean): void;
  /** The best hypothesis so far, lowercase words (may still change). */
  readonly partial: string;
  /** Ends the utterance and returns the final result. */
  finish(): Promise<RecognitionResult>;
  /** Drops the utterance (noise blip, call ended); releases everything it holds. */
  cancel(): void;
}

/**
 * What a recognizer learns about one caller across the utterances of a call (the embedded engine
 * keeps the caller's cepstral mean here). The session owns one per call and passes it each time.
 */
export interface SpeakerState {
  adaptation?: unknown;
}

export interface Recognizer {
  readonly id: string;
  /** Starts recognizing one utterance against a question's grammar. */
  start(grammar: QuestionGrammar, speaker?: SpeakerState, options?: RecognizerStartOptions): RecognizerStream;
  /** Engine resources in use, for readiness checks and leak tests. */
  stats(): Record<string, number>;
  close(): Promise<void>;
}
