import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ADMIN_COOKIE, checkToken } from "@/lib/server/calls-api";
import { runtime, type Runtime } from "@/lib/server/runtime";

export type Access = { runtime: Runtime; open: boolean } | { refused: string };

/**
 * The same rule as the call records API: with ADMIN_TOKEN, the sign-in cookie; in production
 * without one, refused; in development, open (the page shows a banner).
 */
export async function dashboardAccess(next: string): Promise<Access> {
  const r = runtime();
  const token = (await cookies()).get(ADMIN_COOKIE)?.value;
  const denied = checkToken(token, r);
  if (!denied) return { runtime: r, open: !r.adminToken };
  if (denied.status === 401) redirect(`/login?next=${encodeURIComponent(next)}`);
  return { refused: (denied.body as { message: string }).message };
}
