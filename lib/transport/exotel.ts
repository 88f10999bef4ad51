import { z } from "zod";
import { bytesToInt16, int16ToBytes } from "../audio/pcm";
import { CarrierMessageError, DtmfMessage, MarkMessage, decodeBase64, parseEvent, readMessage, type CarrierEvent, type CarrierWire } from "./phone-bridge";

/**
 * Exotel's Voicebot applet stream (bidirectional): the same event names as Twilio with snake_case
 * fields (`stream_sid`, `call_sid`, `custom_parameters`, `media_format`); audio is base64 raw
 * 16-bit little-endian PCM at 8 kHz (16 or 24 kHz when the applet URL asks with
 * ?sample-rate=). Audio we send must come in chunks that are a multiple of 320 bytes and at
 * least 100 ms long.
 */
const Sid = z.string().min(1).max(64);
const Rate = z.union([z.string(), z.number()]).transform(Number).pipe(z.union([z.literal(8000), z.literal(16000), z.literal(24000)]));

const Start = z.object({
  event: z.literal("start"),
  start: z.object({
    stream_sid: Sid,
    call_sid: Sid,
    account_sid: Sid.optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    custom_parameters: z.record(z.string(), z.string()).default({}),
    media_format: z.object({ encoding: z.string().optional(), sample_rate: Rate, bit_rate: z.union([z.string(), z.number()]).optional() }),
  }),
});
const Media = z.object({ event: z.literal("media"), media: z.object({ payload: z.string() }) });

const CHUNK_BYTES = 320;

export const exotelWire: CarrierWire = {
  channel: "exotel",
  parse(text: string): CarrierEvent {
    const { event, json } = parseEvent(text);
    switch (event) {
      case "connected":
        return { kind: "connected" };
      case "start": {
        const s = readMessage(Start, json, event).start;
        const bits = s.media_format.bit_rate === undefined ? 16 : Number(s.media_format.bit_rate);
        if (bits !== 16) throw new CarrierMessageError("unsupported_media_format", `expected 16-bit PCM, got ${bits}-bit`);
        return {
          kind: "start",
          start: { streamId: s.stream_sid, carrierCallId: s.call_sid, sampleRateHz: s.media_format.sample_rate, customParameters: s.custom_parameters },
        };
      }
      case "media": {
        const bytes = decodeBase64(readMessage(Media, json, event).media.payload);
        if (bytes.length % 2 !== 0) throw new CarrierMessageError("bad_media", `16-bit PCM cannot be ${bytes.length} bytes`);
        return { kind: "media", samples: bytesToInt16(bytes) };
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
  media: (stream_sid, samples) => JSON.stringify({ event: "media", stream_sid, media: { payload: int16ToBytes(samples).toString("base64") } }),
  mark: (stream_sid, name) => JSON.stringify({ event: "mark", stream_sid, mark: { name } }),
  clear: (stream_sid) => JSON.stringify({ event: "clear", stream_sid }),
  // At least 100 ms per chunk (Exotel's minimum against network jitter), in whole 320-byte blocks.
  minChunkSamples: (rateHz) => Math.ceil(rateHz / 10 / (CHUNK_BYTES / 2)) * (CHUNK_BYTES / 2),
  chunkMultiple: CHUNK_BYTES / 2,
};
