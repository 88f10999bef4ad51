/**
 * Canary secrets the e2e server runs with: no page, script or style the browser loads may
 * contain them (e2e/secrets.spec.ts). Setting the keys without selecting the cloud providers
 * changes nothing else.
 */
export const CANARY_SECRETS = {
  OPENAI_API_KEY: "sk-canary-openai-7f3a9c1e",
  ELEVENLABS_API_KEY: "canary-elevenlabs-5b2d8e4f",
  TWILIO_AUTH_TOKEN: "canary-twilio-token-9e1c4a7b",
  EXOTEL_PASSWORD: "canary-exotel-password-2c6f",
};

/** Where the e2e production build goes (not .next, which `npm run dev` owns). */
export const E2E_DIST_DIR = ".next-e2e";

/** The e2e server's ADMIN_TOKEN; the browser holds it as the dashboard's sign-in cookie. */
export const E2E_ADMIN_TOKEN = "e2e-admin-token-3d9b";
