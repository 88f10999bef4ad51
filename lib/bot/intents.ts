import type { GlobalIntent } from "./types";

/**
 * Phrases seen in free text (cloud transcripts, typed answers) that the grammars leave out: see
 * TYPED_ONLY_PHRASES. The repeat requests are multi-word, so they win over an answer said inside
 * them ("I can't hear you" is not "I can't").
 */
const TEXT_ONLY_NO = ["not at all"];
const TEXT_ONLY_REPEAT = [
  "say again", "one more time", "didn't get you", "didn't get that", "didn't catch that", "didn't hear you",
  "can't hear you", "couldn't hear you", "don't understand", "didn't understand",
];

/**
 * Phrases shared by every flow. They are grammar (the embedded recognizer can only hear what is
 * listed) and the rule table for free text. Lowercase words only.
 */
export const YES_PHRASES = [
  "yes", "yeah", "yep", "yup", "yes please", "sure", "yeah sure", "yes sure", "of course", "correct",
  "that is correct", "that's right", "right", "absolutely", "definitely", "i am", "yes i am", "i do",
  "yes i do", "it is", "yes it is", "i can", "yes i can", "we can", "yes we can", "haan", "haan ji",
  "ji haan", "ji", "yes sir", "yeah i am", "yeah i do", "okay yes",
];

export const NO_PHRASES = [
  "no", "nope", "nah", "no no", "nahi", "nahin", "not really", "i am not", "no i am not", "i'm not",
  "i do not", "i don't", "no i don't", "no i do not", "it is not", "it's not", "no it is not", "not yet",
  "no way", "i can not", "i can't", "we can't", "no we can't", "no sir", "nahi ji",
  ...TEXT_ONLY_NO,
];

export const INTENT_PHRASES: Record<GlobalIntent, string[]> = {
  repeat: [
    "repeat", "repeat that", "repeat please", "please repeat", "say that again", "can you repeat that",
    "come again", "pardon", "sorry what", "what did you say", "repeat the question",
    ...TEXT_ONLY_REPEAT,
  ],
  agent: [
    "agent", "human", "talk to a person", "speak to a person", "talk to a human", "talk to an agent",
    "speak to an agent", "speak to someone", "real person", "customer care", "representative",
    "connect me to an agent",
  ],
  // The caller needs a moment: the bot says so and waits longer than usual, no reprompt counted.
  // Grammar, so "wait a minute" is heard as itself rather than as the nearest phrase ("agent").
  hold: [
    "wait", "wait a minute", "wait a second", "hold on", "hold on please", "one moment", "just a moment",
    "just a second", "give me a second", "give me a minute",
  ],
  stop: [
    "stop", "goodbye", "bye", "bye bye", "not interested", "i am not interested", "stop calling",
    "hang up", "leave me alone", "don't call me",
  ],
};

/**
 * Backchannels: the "I'm listening" sounds callers make. Over the bot they are no turn (the bot
 * carries on); after a yes/no question they are a yes. Grammar, so the recognizer hears "mm hmm"
 * as itself rather than as the nearest phrase ("human", an agent request).
 */
export const BACKCHANNEL_PHRASES = ["mm hmm", "mhm", "uh huh"];

/**
 * What callers say instead of an answer when they do not know or will not say. Grammar, so the
 * recognizer hears "i do not know" as itself rather than as the answer inside it ("i do not") or
 * "not sure" as "sure"; understanding takes none of them for an answer (its UNSURE table), and the
 * caller is asked again.
 */
export const HEDGE_PHRASES = [
  "i do not know", "i don't know", "don't know", "i dunno", "not sure", "i am not sure", "i'm not sure",
  "no idea", "i have no idea", "maybe", "i can not say", "i can't say",
];

/**
 * Understood in text (typed, or a cloud transcript) but never offered to the recognizer, for two
 * reasons. One-syllable phrases it hears in too many other answers: a lone "bye" is what it makes
 * of a mumbled "yes" often enough to hang up on qualified callers; a lone "ji" of "nahi"; a lone
 * "wait" is left out as the same kind of risk (a precaution, not measured). And
 * phrases seen in free text that would only grow the grammars, where every phrase added is one
 * more thing a noisy "yes" can be heard as.
 */
export const TYPED_ONLY_PHRASES = new Set(["bye", "ji", "wait", ...TEXT_ONLY_NO, ...TEXT_ONLY_REPEAT]);
