import { describe, it, expect } from "vitest";
import * as alawmulawNamespace from "alawmulaw";
import * as wavefileNamespace from "wavefile";
import { cjsExports } from "./cjs";

describe("cjsExports", () => {
  it("unwraps Node's { default } wrapper around a UMD bundle", () => {
    const exports = { WaveFile: class {} };
    expect(cjsExports({ default: exports } as unknown as typeof exports)).toBe(exports);
  });

  it("passes named ES module exports through", () => {
    const namespace = { mulaw: { encode: () => 0 } };
    expect(cjsExports(namespace)).toBe(namespace);
  });

  it("finds the real packages' exports as loaded here", () => {
    expect(typeof cjsExports(wavefileNamespace).WaveFile).toBe("function");
    expect(typeof cjsExports(alawmulawNamespace).mulaw.encode).toBe("function");
  });
});
