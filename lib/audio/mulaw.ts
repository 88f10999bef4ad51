/**
 * G.711 mu-law, the 8 kHz telephony codec that Twilio and Exotel media streams carry
 * (one byte per sample, about 38 dB SNR for speech at normal levels).
 */
import * as alawmulawNamespace from "alawmulaw";
import { cjsExports } from "./cjs";

const { mulaw } = cjsExports(alawmulawNamespace);

export function mulawEncode(samples: Int16Array): Uint8Array {
  return mulaw.encode(samples);
}

export function mulawDecode(bytes: Uint8Array): Int16Array {
  return mulaw.decode(bytes);
}
