import { z } from "zod";
import { mulawDecode, mulawEncode } from "../audio/mulaw";
import { CarrierMessageError, DtmfMessage, MarkMessage, decodeBase64, parseEvent, readMessage, type CarrierEvent, type CarrierWire } from "./phone-bridge";

/**
 * Twilio Media Streams (bidirectional, `<Connect><Stream>`): JSON text frames with an `event`;
 * audio is base64 G.711 μ-law at 8 kHz. Twilio sends connected, start, media, dtmf, mark (the
 * echo of ours, once what came before it has played) and stop; we send media, mark and clear.
 */
const Sid = z.string().min(1).max(64);

const Start = z.object({
  event: z.literal("start"),
  streamSid: Sid,
  start: z.object({
    streamSid: Sid,
    callSid: Sid,
    accountSid: Sid.optional(),
    tracks: z.array(z.string()).optional(),
    customParameters: z.record(z.string(), z.string()).default({}),
    mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number().default(1) }),
  }),
});
const Media = z.object({
  event: z.literal("media"),
  media: z.object({ payload: z.string(), track: z.string().optional(), chunk: z.string().optional(), timestamp: z.string().optional() }),
});

export const TWILIO_RATE_HZ = 8000;

export const twilioWire: CarrierWire = {
  channel: "twilio",
  codec: "g711_ulaw",
  parse(text: string): CarrierEvent {
    const { event, json } = parseEvent(text);
    switch (event) {
      case "connected":
        return { kind: "connected" };
      case "start": {
        const s = readMessage(Start, json, event).start;
        const f = s.mediaFormat;
        if (f.encoding !== "audio/x-mulaw" || f.sampleRate !== TWILIO_RATE_HZ || f.channels !== 1) {
          throw new CarrierMessageError("unsupported_media_format", `expected audio/x-mulaw 8000 Hz mono, got ${f.encoding} ${f.sampleRate} Hz`);
        }
        return {
          kind: "start",
          start: { streamId: s.streamSid, carrierCallId: s.callSid, sampleRateHz: TWILIO_RATE_HZ, customParameters: s.customParameters },
        };
      }
      case "media": {
        const m = readMessage(Media, json, event).media;
        if (m.track && m.track !== "inbound") return { kind: "media", samples: new Int16Array(0) };
        const coded = decodeBase64(m.payload);
        return { kind: "media", samples: mulawDecode(coded), coded };
      }
      case "dtmf":
        return { kind: "dtmf", digit: readMessage(DtmfMessage, json, event).dtmf.digit };
      case "mark":
        return { kind: "mark", name: readMessage(MarkMessage, json, event).mark.name };
      case "stop":
        return { kind: "stop" };
      default:
        throw new CarrierMessageError("unknown_event", `unknown event "${event.slice(0, 40)}"`);
    }
  },
  media: (streamSid, samples) => JSON.stringify({ event: "media", streamSid, media: { payload: Buffer.from(mulawEncode(samples)).toString("base64") } }),
  mark: (streamSid, name) => JSON.stringify({ event: "mark", streamSid, mark: { name } }),
  clear: (streamSid) => JSON.stringify({ event: "clear", streamSid }),
  // Twilio takes any size; one 20 ms frame at a time keeps barge-in sharp.
  minChunkSamples: (rateHz) => rateHz / 50,
  chunkMultiple: 1,
};
