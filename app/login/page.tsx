export const dynamic = "force-dynamic";

export default async function Login({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next = "/dashboard", error } = await searchParams;
  return (
    <main className="mx-auto max-w-sm px-4 py-16">
      <h1 className="text-xl font-semibold">Sign in to call records</h1>
      <p className="mt-1 text-sm text-slate-600">Enter the server&apos;s admin token (ADMIN_TOKEN).</p>
      {error && (
        <p role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          That token is not right.
        </p>
      )}
      <form method="post" action="/api/login" className="mt-6 space-y-3">
        <input type="hidden" name="next" value={next} />
        <label className="block text-sm font-medium">
          Admin token
          <input name="token" type="password" required autoComplete="current-password" className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2" />
        </label>
        <button type="submit" className="w-full rounded-lg bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">
          Sign in
        </button>
      </form>
    </main>
  );
}
