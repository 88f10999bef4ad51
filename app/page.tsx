import { BotList } from "@/components/bot-list";
import { botCatalog } from "@/lib/bot/catalog";

export const dynamic = "force-dynamic";

export default function Home() {
  return (
    <main className="mx-auto max-w-6xl px-4 py-10">
      <h1 className="text-3xl font-semibold tracking-tight">Voice qualification bot</h1>
      <p className="mt-2 max-w-2xl text-slate-600">
        Pick a bot and talk to it. It asks a few short questions, understands your spoken answers and tells you the result
        — speech recognition and synthesis run on this server, with no API keys.
      </p>
      <BotList bots={botCatalog()} />
    </main>
  );
}
