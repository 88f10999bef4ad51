/**
 * WAV in and out. Reading accepts what people actually hand us (recordings, test fixtures, TTS
 * output): integer PCM of any common width, IEEE float, any channel count, RIFF/RIFX/RF64; the
 * result is always mono PCM16, because that is what the rest of the pipeline speaks. Writing
 * produces 16-bit mono PCM, which every player and Chromium's fake microphone accept.
 */
import * as wavefileNamespace from "wavefile";
import { cjsExports } from "./cjs";
import { clampInt16 } from "./pcm";

const { WaveFile } = cjsExports(wavefileNamespace);

export type DecodedWav = { samples: Int16Array; sampleRateHz: number };

const FORMAT_PCM = 1;
const FORMAT_IEEE_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

/** The parts of wavefile's parsed 'fmt ' chunk that we read (its typings say only `object`). */
type FmtChunk = {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** First field of the WAVE_FORMAT_EXTENSIBLE sub-format GUID: the real format code. */
  subformat?: number[];
};

export function readWav(bytes: Uint8Array): DecodedWav {
  let wav: InstanceType<typeof WaveFile>;
  try {
    wav = new WaveFile(bytes);
  } catch (cause) {
    throw new Error(`not a readable WAV file: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const fmt = wav.fmt as FmtChunk;
  const format = fmt.audioFormat === FORMAT_EXTENSIBLE ? (fmt.subformat?.[0] ?? 0) : fmt.audioFormat;
  const bits = fmt.bitsPerSample;
  const channels = fmt.numChannels;
  if (!(channels >= 1)) throw new Error(`unsupported WAV: ${channels} channels`);
  if (!(fmt.sampleRate > 0)) throw new Error(`unsupported WAV: sample rate ${fmt.sampleRate}`);

  let interleaved: ArrayLike<number>;
  /** Multiplier that takes a decoded sample to int16 full scale. */
  let toInt16: number;
  let offset = 0;
  if (format === FORMAT_PCM && bits >= 8 && bits <= 32) {
    interleaved = wav.getSamples(true, Float64Array);
    // Samples are left-justified in whole bytes; 8-bit WAV is the one unsigned width.
    const containerBits = Math.ceil(bits / 8) * 8;
    toInt16 = 2 ** (16 - containerBits);
    if (containerBits === 8) offset = -128;
  } else if (format === FORMAT_IEEE_FLOAT && bits === 32) {
    if (wav.bitDepth === "32f") {
      interleaved = wav.getSamples(true, Float64Array);
    } else {
      // wavefile recognises float only in a plain header; behind an extensible header it decodes
      // the words as int32, so reinterpret those bits as the floats they are.
      const words = wav.getSamples(true, Int32Array) as unknown as Int32Array;
      interleaved = new Float32Array(words.buffer, words.byteOffset, words.length);
    }
    toInt16 = 32768;
  } else if (format === FORMAT_IEEE_FLOAT && bits === 64) {
    interleaved = wav.getSamples(true, Float64Array);
    toInt16 = 32768;
  } else {
    throw new Error(
      `unsupported WAV encoding (format ${describeFormat(fmt.audioFormat, format)}, ${bits}-bit): ` +
        "only uncompressed integer PCM and IEEE float are supported",
    );
  }

  const frames = Math.floor(interleaved.length / channels);
  const samples = new Int16Array(frames);
  const scale = toInt16 / channels;
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += interleaved[frame * channels + channel]! + offset;
    samples[frame] = clampInt16(sum * scale);
  }
  return { samples, sampleRateHz: fmt.sampleRate };
}

export function encodeWav(samples: Int16Array, sampleRateHz: number): Buffer {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0) {
    throw new RangeError(`sampleRateHz must be a positive integer, got ${sampleRateHz}`);
  }
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRateHz, "16", samples);
  const bytes = wav.toBuffer();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function describeFormat(headerFormat: number, format: number): string {
  const names: Record<number, string> = { 2: "MS ADPCM", 6: "A-law", 7: "mu-law", 17: "IMA ADPCM", 85: "MP3" };
  const name = names[format] ?? `0x${format.toString(16)}`;
  return headerFormat === FORMAT_EXTENSIBLE ? `extensible/${name}` : name;
}
