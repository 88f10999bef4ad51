import { mulawDecode } from "../audio/mulaw";
import { Resampler } from "../audio/resample";
import { TTS_SAMPLE_RATE_HZ } from "./types";

/** A 200 whose body is not audio (an HTML error page from a proxy, a JSON error) must not be played as noise. */
export function assertAudio(contentType: string | null, provider: string): void {
  if (contentType && /^(text\/|application\/(json|xml|problem))/i.test(contentType)) {
    throw new Error(`${provider} answered ${contentType} instead of audio`);
  }
}

/**
 * Bytes of PCM16 little-endian as a cloud service streams them (chunk boundaries anywhere, even
 * mid-sample) → Int16Array chunks at `toHz`. Resamples when the service speaks another rate
 * (OpenAI's "pcm" is 24 kHz).
 */
export async function* pcmChunks(body: ReadableStream<Uint8Array>, sampleRateHz: number, toHz = TTS_SAMPLE_RATE_HZ): AsyncIterable<Int16Array> {
  const resampler = sampleRateHz === toHz ? undefined : new Resampler({ fromHz: sampleRateHz, toHz });
  let carry: number | undefined;
  for await (const chunk of readAll(body)) {
    if (chunk.length === 0) continue;
    const buf = carry === undefined ? chunk : Buffer.concat([Uint8Array.of(carry), chunk]);
    const even = buf.length - (buf.length % 2);
    carry = even < buf.length ? buf[buf.length - 1] : undefined;
    if (even === 0) continue;
    const samples = new Int16Array(even / 2);
    const view = new DataView(buf.buffer, buf.byteOffset, even);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
    const out = resampler ? resampler.push(samples) : samples;
    if (out.length) yield out;
  }
  const tail = resampler?.flush();
  if (tail?.length) yield tail;
}

/** G.711 μ-law bytes as a service streams them (one byte per sample, so any boundary is a sample boundary) → PCM16 chunks at the stream's rate. */
export async function* mulawChunks(body: ReadableStream<Uint8Array>): AsyncIterable<Int16Array> {
  for await (const chunk of readAll(body)) if (chunk.length) yield mulawDecode(chunk);
}

/** A web ReadableStream as an async iterable that cancels the stream (and its connection) when the consumer stops early. */
async function* readAll(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
