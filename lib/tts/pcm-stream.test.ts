import { describe, expect, it } from "vitest";
import { concatInt16, int16ToBytes } from "../audio/pcm";
import { resample } from "../audio/resample";
import { assertAudio, pcmChunks } from "./pcm-stream";

/** A byte stream that delivers `bytes` in pieces of the given sizes (cycled), as a network might. */
function byteStream(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    pieces.push(bytes.slice(at, at + size));
    at += size;
  }
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function collect(stream: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Speech-like test signal: a few tones, with values that use both bytes and the sign bit. */
function signal(length: number, rateHz: number): Int16Array {
  return Int16Array.from({ length }, (_, i) =>
    Math.round(9000 * Math.sin((2 * Math.PI * 220 * i) / rateHz) + 6000 * Math.sin((2 * Math.PI * 1250 * i) / rateHz) - 300),
  );
}

describe("pcmChunks", () => {
  it("reassembles bytes split at odd boundaries (even mid-sample) into exactly the PCM16LE samples", async () => {
    const samples = signal(4001, 16000);
    samples[0] = -32768;
    samples[1] = 32767;
    samples[2] = 0x0102; // distinct low and high bytes: a byte-order mistake would show
    const bytes = new Uint8Array(int16ToBytes(samples));
    const chunks = await collect(pcmChunks(byteStream(bytes, [1, 3, 0, 7, 2, 1, 1001, 5]), 16000));
    expect(chunks.length).toBeGreaterThan(10);
    expect(concatInt16(chunks)).toEqual(samples);
  });

  it("gives the same samples however the bytes are split", async () => {
    const samples = signal(3000, 16000);
    const bytes = new Uint8Array(int16ToBytes(samples));
    const whole = concatInt16(await collect(pcmChunks(byteStream(bytes, [bytes.length]), 16000)));
    const bytewise = concatInt16(await collect(pcmChunks(byteStream(bytes, [1]), 16000)));
    expect(whole).toEqual(samples);
    expect(bytewise).toEqual(samples);
  });

  it("resamples 24 kHz input to 16 kHz: about two thirds as many samples, the same sound", async () => {
    const input = signal(24000, 24000); // one second
    const bytes = new Uint8Array(int16ToBytes(input));
    const out = concatInt16(await collect(pcmChunks(byteStream(bytes, [4801, 333, 1]), 24000)));
    expect(out.length / input.length).toBeGreaterThan(0.66 - 0.01);
    expect(out.length / input.length).toBeLessThanOrEqual(2 / 3);
    // Streaming in arbitrary pieces matches converting the whole signal at once.
    const reference = resample(input, 24000, 16000);
    expect(out).toEqual(reference.subarray(0, out.length));
  });

  it("cancels the underlying stream when the consumer stops early", async () => {
    let cancelled: unknown = "not cancelled";
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(320)); // endless 10 ms chunks of silence
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    let received = 0;
    for await (const chunk of pcmChunks(body, 16000)) {
      received += chunk.length;
      if (received >= 480) break;
    }
    expect(cancelled).not.toBe("not cancelled");
    expect(pulls).toBeLessThan(10);
    // The reader's lock is released, so nothing holds the stream.
    expect(body.locked).toBe(false);
  });

  it("propagates a failing stream (a dropped connection) as an error after the audio so far", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) controller.enqueue(new Uint8Array(321));
        else controller.error(new TypeError("terminated"));
      },
    });
    const chunks: Int16Array[] = [];
    await expect(
      (async () => {
        for await (const chunk of pcmChunks(body, 16000)) chunks.push(chunk);
      })(),
    ).rejects.toThrow("terminated");
    expect(concatInt16(chunks).length).toBe(481);
  });
});

describe("assertAudio", () => {
  it.each(["text/html", "text/html; charset=utf-8", "application/json", "application/problem+json", "text/plain"])(
    "throws for %s, naming the provider",
    (contentType) => {
      expect(() => assertAudio(contentType, "ElevenLabs")).toThrow(/ElevenLabs/);
      expect(() => assertAudio(contentType, "ElevenLabs")).toThrow(contentType);
    },
  );

  it.each(["audio/pcm", "audio/L16; rate=16000", "application/octet-stream", null, ""])("passes %s", (contentType) => {
    expect(() => assertAudio(contentType, "OpenAI")).not.toThrow();
  });
});
