import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addNoiseAtSnr } from "../audio/degrade";
import { concatInt16, int16ToFloat32, silence } from "../audio/pcm";
import { fliteSynthesize } from "../tts/flite";
import { CEPSTRA } from "./cepstral-mean";
import { DecoderPool, modelDir, type PooledDecoder } from "./decoder-pool";
import { writeDictionary } from "./dictionary";

/** The real engine: a decoder's means are swapped in the WASM heap and put back. */
const JSGF = "#JSGF V1.0;\ngrammar g;\npublic <s> = [about] (three | thirty | thirteen | forty) [thousand] [rupees] | yes | no;\n";
const noisy = int16ToFloat32(
  addNoiseAtSnr(concatInt16([silence(300, 16000), fliteSynthesize("about thirty thousand rupees", "awb"), silence(400, 16000)]), 10, 3),
);
let pool: DecoderPool;

beforeAll(async () => {
  const dictPath = writeDictionary("about three thirty thirteen forty thousand rupees yes no".split(" "), modelDir());
  pool = await DecoderPool.create({ dictPath, minSize: 2, maxSize: 3, noiseCompensation: true });
});
afterAll(() => pool.close());

/** The decode as the lattice sees it: words with their times and posteriors. */
function decode(d: PooledDecoder): string {
  d.decoder.set_grammar(JSGF);
  d.decoder.start();
  d.decoder.process_audio(noisy, false, true);
  d.decoder.stop();
  return JSON.stringify(d.decoder.get_alignment());
}

describe("DecoderPool noise compensation", () => {
  it("finds each decoder's own means, including one created while calls run", async () => {
    const [a, b] = [pool.tryAcquire()!, pool.tryAcquire()!];
    // The third is created on demand.
    const c = await new Promise<PooledDecoder>((resolve) => pool.request(resolve));
    const places = [a, b, c].map((d) => d.meansAt);
    expect(places.every((p) => p !== undefined)).toBe(true);
    expect(new Set(places).size).toBe(3);
    for (const d of [a, b, c]) pool.release(d);
  });

  it("moves one leased decoder's model into a noise, leaves the others alone, and restores it on the next prepare", () => {
    const [a, b] = [pool.tryAcquire()!, pool.tryAcquire()!];
    const cmn = "40,3,-1";
    const plain = () => {
      pool.prepare(a, cmn, false);
      pool.prepare(b, cmn, false);
      return [decode(a), decode(b)];
    };
    const [beforeA, beforeB] = plain();
    expect(beforeA).toBe(beforeB);

    pool.prepare(a, cmn, false);
    const noise = new Float64Array(20).fill(4);
    const clean = Float64Array.from({ length: CEPSTRA }, (_, i) => (i === 0 ? 40 : 0));
    const cmnVector = Float64Array.from({ length: CEPSTRA }, (_, i) => [40, 3, -1][i] ?? 0);
    expect(pool.compensate(a, noise, clean, cmnVector)).toBe(true);
    expect(a.compensated).toBe(true);
    const compensated = decode(a);
    expect(compensated).not.toBe(beforeA);
    expect(decode(b)).toBe(beforeB);

    const [afterA, afterB] = plain();
    expect(a.compensated).toBe(false);
    expect(afterA).toBe(beforeA);
    expect(afterB).toBe(beforeB);
    pool.release(a);
    pool.release(b);
  });

  it("does not look for means when compensation is off", async () => {
    const plain = await DecoderPool.create({ dictPath: writeDictionary(["yes"], modelDir()), minSize: 1, maxSize: 1 });
    const d = plain.tryAcquire()!;
    expect(plain.compensator).toBeUndefined();
    expect(d.meansAt).toBeUndefined();
    expect(plain.compensate(d, new Float64Array(20), new Float64Array(CEPSTRA), new Float64Array(CEPSTRA))).toBe(false);
    await plain.close();
  });
});
