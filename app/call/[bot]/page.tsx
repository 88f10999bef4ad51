import { notFound } from "next/navigation";
import { CallScreen } from "@/components/call/call-screen";
import { botCatalog } from "@/lib/bot/catalog";

export const dynamic = "force-dynamic";

export default async function CallPage({ params }: { params: Promise<{ bot: string }> }) {
  const { bot } = await params;
  const summary = botCatalog().find((b) => b.id === bot);
  if (!summary) notFound();
  return <CallScreen bot={summary} />;
}
