declare module "@echogarden/rnnoise-wasm" {
  /** Emscripten module factory; see lib/audio/denoise.ts for the functions it exposes. */
  const RNNoise: (moduleArg?: object) => Promise<unknown>;
  export default RNNoise;
}
