import { describe, expect, it } from "vitest";
import { mulawDecode, mulawEncode } from "../audio/mulaw";
import { sine, snrDb } from "../audio/testing/signals";
import { CarrierMessageError, type CarrierEvent, type PhoneErrorCode } from "./phone-bridge";
import { twilioWire } from "./twilio";

/** Messages as Twilio Media Streams sends them (bidirectional <Connect><Stream>). */
const STREAM_SID = "MZ18ad3ab5a668481ce02b83e7395059f0";
const CALL_SID = "CA2c3a1b0f5e6d4c3b2a190817263544ff";
const ACCOUNT_SID = "AC25e16e9a716a4a1786a7c83f58e30482";

const connectedMessage = { event: "connected", protocol: "Call", version: "1.0.0" };

function startMessage(overrides: { mediaFormat?: Record<string, unknown>; customParameters?: Record<string, string> } = {}) {
  return {
    event: "start",
    sequenceNumber: "1",
    streamSid: STREAM_SID,
    start: {
      accountSid: ACCOUNT_SID,
      streamSid: STREAM_SID,
      callSid: CALL_SID,
      tracks: ["inbound"],
      customParameters: overrides.customParameters ?? { bot: "quickrupee", token: "1700000060000.abc" },
      mediaFormat: overrides.mediaFormat ?? { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    },
  };
}

const mediaMessage = (payload: string, track = "inbound") => ({
  event: "media",
  sequenceNumber: "3",
  streamSid: STREAM_SID,
  media: { track, chunk: "1", timestamp: "5", payload },
});

const parse = (message: unknown): CarrierEvent => twilioWire.parse(JSON.stringify(message));

function errorCode(text: string): PhoneErrorCode {
  try {
    twilioWire.parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CarrierMessageError);
    return (err as CarrierMessageError).code;
  }
  throw new Error(`parsed without error: ${text}`);
}
const errorFor = (message: unknown) => errorCode(JSON.stringify(message));

const tone = sine({ frequencyHz: 440, sampleRateHz: 8000, durationMs: 20, levelDbfs: -12 });
const tonePayload = Buffer.from(mulawEncode(tone)).toString("base64");

describe("twilioWire.parse", () => {
  it("reads connected", () => {
    expect(parse(connectedMessage)).toEqual({ kind: "connected" });
  });

  it("reads start into the stream, the CallSid, 8 kHz and the TwiML's parameters", () => {
    expect(parse(startMessage())).toEqual({
      kind: "start",
      start: {
        streamId: STREAM_SID,
        carrierCallId: CALL_SID,
        sampleRateHz: 8000,
        customParameters: { bot: "quickrupee", token: "1700000060000.abc" },
      },
    });
  });

  it("reads a start without custom parameters as none", () => {
    const message = startMessage();
    delete (message.start as Partial<typeof message.start>).customParameters;
    expect(parse(message)).toMatchObject({ kind: "start", start: { customParameters: {} } });
  });

  it("decodes inbound μ-law audio into the caller's samples", () => {
    const event = parse(mediaMessage(tonePayload));
    if (event.kind !== "media") throw new Error(`got ${event.kind}`);
    expect(event.samples).toHaveLength(160);
    expect(snrDb(tone, event.samples)).toBeGreaterThan(30);
    expect(Array.from(event.samples)).toEqual(Array.from(mulawDecode(mulawEncode(tone))));
  });

  it("ignores audio on the bot's own (outbound) track", () => {
    expect(parse(mediaMessage(tonePayload, "outbound"))).toEqual({ kind: "media", samples: new Int16Array(0) });
  });

  it("reads keypad digits, including * and #", () => {
    for (const digit of ["1", "0", "*", "#"]) {
      expect(parse({ event: "dtmf", streamSid: STREAM_SID, sequenceNumber: "5", dtmf: { track: "inbound_track", digit } })).toEqual({
        kind: "dtmf",
        digit,
      });
    }
  });

  it("reads the echo of our mark, and stop", () => {
    expect(parse({ event: "mark", sequenceNumber: "4", streamSid: STREAM_SID, mark: { name: "turn-3" } })).toEqual({ kind: "mark", name: "turn-3" });
    expect(parse({ event: "stop", sequenceNumber: "9", streamSid: STREAM_SID, stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID } })).toEqual({
      kind: "stop",
    });
  });

  it("refuses payloads that are not base64 as bad_media", () => {
    expect(errorFor(mediaMessage("not base64!"))).toBe("bad_media");
    expect(errorFor(mediaMessage(tonePayload.slice(1)))).toBe("bad_media");
    expect(errorFor(mediaMessage("QUJD-A=="))).toBe("bad_media");
  });

  it("refuses text that is not JSON as bad_json", () => {
    expect(errorCode("{not json")).toBe("bad_json");
    expect(errorCode("")).toBe("bad_json");
  });

  it("refuses events it does not know as unknown_event", () => {
    expect(errorFor({ event: "transcription", streamSid: STREAM_SID })).toBe("unknown_event");
  });

  it("refuses messages missing what their event needs as bad_message", () => {
    expect(errorFor({ streamSid: STREAM_SID })).toBe("bad_message");
    expect(errorCode("null")).toBe("bad_message");
    expect(errorCode("[]")).toBe("bad_message");
    const noCallSid = startMessage();
    delete (noCallSid.start as Partial<typeof noCallSid.start>).callSid;
    expect(errorFor(noCallSid)).toBe("bad_message");
    expect(errorFor({ ...startMessage(), start: { ...startMessage().start, mediaFormat: undefined } })).toBe("bad_message");
    expect(errorFor({ event: "media", streamSid: STREAM_SID, media: { track: "inbound" } })).toBe("bad_message");
    expect(errorFor({ event: "dtmf", streamSid: STREAM_SID, dtmf: { digit: "A" } })).toBe("bad_message");
    expect(errorFor({ event: "dtmf", streamSid: STREAM_SID, dtmf: { digit: "12" } })).toBe("bad_message");
    expect(errorFor({ event: "mark", streamSid: STREAM_SID })).toBe("bad_message");
  });

  it("refuses a stream that is not 8 kHz mono μ-law as unsupported_media_format", () => {
    expect(errorFor(startMessage({ mediaFormat: { encoding: "audio/x-l16", sampleRate: 8000, channels: 1 } }))).toBe("unsupported_media_format");
    expect(errorFor(startMessage({ mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 16000, channels: 1 } }))).toBe("unsupported_media_format");
    expect(errorFor(startMessage({ mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 2 } }))).toBe("unsupported_media_format");
  });
});

describe("twilioWire outbound", () => {
  it("sends audio as μ-law under streamSid, decodable back to what the bot said", () => {
    const message = JSON.parse(twilioWire.media(STREAM_SID, tone));
    expect(Object.keys(message).sort()).toEqual(["event", "media", "streamSid"]);
    expect(message.event).toBe("media");
    expect(message.streamSid).toBe(STREAM_SID);
    const bytes = Buffer.from(message.media.payload, "base64");
    expect(bytes).toHaveLength(tone.length);
    expect(snrDb(tone, mulawDecode(bytes))).toBeGreaterThan(30);
  });

  it("round-trips through its own parser", () => {
    const sent = JSON.parse(twilioWire.media(STREAM_SID, tone));
    const event = parse(mediaMessage(sent.media.payload));
    expect(event.kind === "media" && snrDb(tone, event.samples)).toBeGreaterThan(30);
  });

  it("builds mark and clear as Twilio expects them", () => {
    expect(JSON.parse(twilioWire.mark(STREAM_SID, "turn-2"))).toEqual({ event: "mark", streamSid: STREAM_SID, mark: { name: "turn-2" } });
    expect(JSON.parse(twilioWire.clear(STREAM_SID))).toEqual({ event: "clear", streamSid: STREAM_SID });
  });

  it("sends audio in 20 ms chunks of any whole number of samples", () => {
    expect(twilioWire.channel).toBe("twilio");
    expect(twilioWire.minChunkSamples(8000)).toBe(160);
    expect(twilioWire.chunkMultiple).toBe(1);
  });
});
