import path from "node:path";
import { BotList } from "@/components/bot-list";
import { loadFlows } from "@/lib/bot/flows";
import { loadConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export default function Home() {
  const flows = loadFlows(path.join(process.cwd(), loadConfig().FLOWS_DIR));
  const bots = [...flows.values()].map((f) => ({
    id: f.id,
    name: f.name,
    description: f.description,
    questions: f.questions.map((q) => q.prompt),
  }));
  return (
    <main>
      <h1>Voice qualification bot</h1>
      <p className="muted">
        Embedded speech recognition and synthesis, no API keys. The voice endpoint is <code>/ws/voice</code> (see
        docs/protocol.md).
      </p>
      <BotList bots={bots} />
    </main>
  );
}
