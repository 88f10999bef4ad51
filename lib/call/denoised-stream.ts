import { Denoiser } from "../audio/denoise";
import type { RecognizerStream } from "../asr/types";

/**
 * Puts RNNoise in front of a recognizer for one utterance. Denoising only the audio the recognizer
 * hears (pre-roll, speech, end-of-turn silence) instead of the whole call costs a quarter of the
 * CPU; the 300 ms pre-roll is enough for RNNoise to settle on the background.
 */
export function withDenoiser(stream: RecognizerStream): RecognizerStream {
  const denoiser = new Denoiser();
  return {
    push: (samples) => stream.push(denoiser.process(samples)),
    get partial() {
      return stream.partial;
    },
    finish: async () => {
      try {
        return await stream.finish();
      } finally {
        denoiser.close();
      }
    },
    cancel: () => {
      stream.cancel();
      denoiser.close();
    },
  };
}
