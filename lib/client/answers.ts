import { concatInt16, silence } from "../audio/pcm";
import { fliteSynthesize } from "../tts/flite";
import { CALLER_RATE_HZ, type CallerAnswer } from "./caller";

/** The voice simulated callers speak with (not the bot's). */
export const CALLER_VOICE = "kal16";

/** Trailing silence after each answer, like a person who stops talking and waits. */
const TAIL_MS = 1200;
const LEAD_MS = 100;

/** An answer spoken by a flite voice, with a short lead-in and a pause after it. */
export function spokenAnswer(text: string, voice = CALLER_VOICE, rate = 1): Extract<CallerAnswer, { kind: "audio" }> {
  const speech = fliteSynthesize(text, voice, rate);
  return { kind: "audio", samples: concatInt16([silence(LEAD_MS, CALLER_RATE_HZ), speech, silence(TAIL_MS, CALLER_RATE_HZ)]), label: text };
}

/** A recording as an answer, with the same pause after it. */
export function recordedAnswer(samples: Int16Array, label: string): Extract<CallerAnswer, { kind: "audio" }> {
  return { kind: "audio", samples: concatInt16([samples, silence(TAIL_MS, CALLER_RATE_HZ)]), label };
}

/**
 * Answers written as "yes;about thirty thousand;-;dtmf:30000#": spoken (or typed with
 * `typed`), "-" or nothing for silence, "dtmf:" for keypad digits. Throws on a bad keypad answer.
 */
export function parseAnswers(spec: string, o: { typed?: boolean; voice?: string; rate?: number; keypad?: boolean } = {}): CallerAnswer[] {
  return spec.split(";").map((raw): CallerAnswer => {
    const t = raw.trim();
    if (t === "" || t === "-") return { kind: "silence" };
    if (t.startsWith("dtmf:")) {
      if (!o.keypad) throw new Error("keypad answers (dtmf:…) need a phone channel (twilio or exotel)");
      const digits = t.slice(5);
      if (!/^[0-9*#]+$/.test(digits)) throw new Error(`"${t}": keys are 0-9, * and #`);
      return { kind: "dtmf", digits };
    }
    if (o.typed) return { kind: "text", text: t };
    return spokenAnswer(t, o.voice, o.rate);
  });
}
