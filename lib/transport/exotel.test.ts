import { describe, expect, it } from "vitest";
import { int16ToBytes } from "../audio/pcm";
import { sine } from "../audio/testing/signals";
import { exotelWire } from "./exotel";
import { CarrierMessageError, type CarrierEvent, type PhoneErrorCode } from "./phone-bridge";

/** Messages as Exotel's Voicebot applet sends them (bidirectional stream). */
const STREAM_SID = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const CALL_SID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const ACCOUNT_SID = "exotel-account";

function startMessage(mediaFormat: Record<string, unknown> = { encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "16" }, customParameters: Record<string, string> = {}) {
  return {
    event: "start",
    sequence_number: "1",
    stream_sid: STREAM_SID,
    start: {
      stream_sid: STREAM_SID,
      call_sid: CALL_SID,
      account_sid: ACCOUNT_SID,
      from: "09876543210",
      to: "08012345678",
      custom_parameters: customParameters,
      media_format: mediaFormat,
    },
  };
}

const mediaMessage = (payload: string) => ({
  event: "media",
  sequence_number: "2",
  stream_sid: STREAM_SID,
  media: { chunk: "2", timestamp: "200", payload },
});

const parse = (message: unknown): CarrierEvent => exotelWire.parse(JSON.stringify(message));

function errorCode(text: string): PhoneErrorCode {
  try {
    exotelWire.parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CarrierMessageError);
    return (err as CarrierMessageError).code;
  }
  throw new Error(`parsed without error: ${text}`);
}
const errorFor = (message: unknown) => errorCode(JSON.stringify(message));

const tone = sine({ frequencyHz: 440, sampleRateHz: 8000, durationMs: 100, levelDbfs: -12 });
const tonePayload = Buffer.from(int16ToBytes(tone)).toString("base64");

describe("exotelWire.parse", () => {
  it("reads connected", () => {
    expect(parse({ event: "connected" })).toEqual({ kind: "connected" });
  });

  it("reads start into the stream, the call, the sample rate and the custom parameters", () => {
    expect(parse(startMessage(undefined, { bot: "home-renovation" }))).toEqual({
      kind: "start",
      start: { streamId: STREAM_SID, carrierCallId: CALL_SID, sampleRateHz: 8000, customParameters: { bot: "home-renovation" } },
    });
  });

  it("accepts the 16 and 24 kHz streams the applet can ask for, as strings or numbers", () => {
    expect(parse(startMessage({ encoding: "audio/x-raw", sample_rate: "16000", bit_rate: "16" }))).toMatchObject({ start: { sampleRateHz: 16000 } });
    expect(parse(startMessage({ encoding: "audio/x-raw", sample_rate: 24000, bit_rate: 16 }))).toMatchObject({ start: { sampleRateHz: 24000 } });
    expect(parse(startMessage({ sample_rate: "8000" }))).toMatchObject({ start: { sampleRateHz: 8000 } });
  });

  it("refuses other sample rates as bad_message", () => {
    expect(errorFor(startMessage({ encoding: "audio/x-raw", sample_rate: "11025", bit_rate: "16" }))).toBe("bad_message");
    expect(errorFor(startMessage({ encoding: "audio/x-raw", sample_rate: "fast", bit_rate: "16" }))).toBe("bad_message");
  });

  it("refuses audio that is not 16-bit as unsupported_media_format", () => {
    expect(errorFor(startMessage({ encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "8" }))).toBe("unsupported_media_format");
  });

  it("reads media as the exact 16-bit little-endian samples", () => {
    const event = parse(mediaMessage(tonePayload));
    if (event.kind !== "media") throw new Error(`got ${event.kind}`);
    expect(Array.from(event.samples)).toEqual(Array.from(tone));
    // Little-endian: the bytes 0x01 0x02 are the sample 0x0201, and 0xff 0xff is -1.
    const le = parse(mediaMessage(Buffer.from([0x01, 0x02, 0xff, 0xff]).toString("base64")));
    expect(le.kind === "media" && Array.from(le.samples)).toEqual([0x0201, -1]);
  });

  it("refuses media of an odd number of bytes as bad_media", () => {
    expect(errorFor(mediaMessage(Buffer.from([1, 2, 3]).toString("base64")))).toBe("bad_media");
  });

  it("refuses payloads that are not base64 as bad_media", () => {
    expect(errorFor(mediaMessage("%%%%"))).toBe("bad_media");
    expect(errorFor(mediaMessage(tonePayload.slice(0, -1)))).toBe("bad_media");
  });

  it("reads dtmf, mark and stop", () => {
    expect(parse({ event: "dtmf", stream_sid: STREAM_SID, sequence_number: "7", dtmf: { duration: "1120", digit: "#" } })).toEqual({
      kind: "dtmf",
      digit: "#",
    });
    expect(parse({ event: "mark", sequence_number: "8", stream_sid: STREAM_SID, mark: { name: "turn-1" } })).toEqual({ kind: "mark", name: "turn-1" });
    expect(parse({ event: "stop", sequence_number: "9", stream_sid: STREAM_SID, stop: { call_sid: CALL_SID, reason: "callended" } })).toEqual({
      kind: "stop",
    });
  });

  it("refuses text that is not JSON, unknown events, and messages missing fields", () => {
    expect(errorCode("<xml/>")).toBe("bad_json");
    expect(errorFor({ event: "transcript", stream_sid: STREAM_SID })).toBe("unknown_event");
    expect(errorFor({ stream_sid: STREAM_SID })).toBe("bad_message");
    const noCall = startMessage();
    delete (noCall.start as Partial<typeof noCall.start>).call_sid;
    expect(errorFor(noCall)).toBe("bad_message");
    expect(errorFor({ ...startMessage(), start: { ...startMessage().start, media_format: undefined } })).toBe("bad_message");
    // Twilio's camelCase is not Exotel's snake_case.
    expect(errorFor({ event: "start", start: { streamSid: STREAM_SID, callSid: CALL_SID, mediaFormat: { sample_rate: "8000" } } })).toBe("bad_message");
    expect(errorFor({ event: "media", stream_sid: STREAM_SID, media: {} })).toBe("bad_message");
    expect(errorFor({ event: "dtmf", stream_sid: STREAM_SID, dtmf: { digit: "x" } })).toBe("bad_message");
  });
});

describe("exotelWire outbound", () => {
  it("sends audio as base64 PCM16 under stream_sid", () => {
    const message = JSON.parse(exotelWire.media(STREAM_SID, tone));
    expect(Object.keys(message).sort()).toEqual(["event", "media", "stream_sid"]);
    expect(message.event).toBe("media");
    expect(message.stream_sid).toBe(STREAM_SID);
    const bytes = Buffer.from(message.media.payload, "base64");
    expect(bytes).toHaveLength(tone.length * 2);
    const event = parse(mediaMessage(message.media.payload));
    expect(event.kind === "media" && Array.from(event.samples)).toEqual(Array.from(tone));
  });

  it("builds mark and clear with stream_sid", () => {
    expect(JSON.parse(exotelWire.mark(STREAM_SID, "turn-4"))).toEqual({ event: "mark", stream_sid: STREAM_SID, mark: { name: "turn-4" } });
    expect(JSON.parse(exotelWire.clear(STREAM_SID))).toEqual({ event: "clear", stream_sid: STREAM_SID });
  });

  it("sends chunks of whole 320-byte blocks, at least 100 ms long, at every rate", () => {
    expect(exotelWire.channel).toBe("exotel");
    expect(exotelWire.chunkMultiple * 2).toBe(320);
    expect(exotelWire.minChunkSamples(8000)).toBe(800);
    for (const rateHz of [8000, 16000, 24000]) {
      const min = exotelWire.minChunkSamples(rateHz);
      expect((min * 2) % 320).toBe(0);
      expect(min % exotelWire.chunkMultiple).toBe(0);
      expect(min / rateHz).toBeGreaterThanOrEqual(0.1);
    }
  });
});
