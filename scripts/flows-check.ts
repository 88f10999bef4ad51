import { modelDir } from "../lib/asr/decoder-pool";
import { pronunciationsOf } from "../lib/asr/dictionary";
import { buildFlowGrammars } from "../lib/bot/grammar";
import { loadFlows } from "../lib/bot/flows";
import { fixedPrompts } from "../lib/bot/machine";
import { loadConfig } from "../lib/config";

/**
 * `npm run flows:check`: validates every flow file against the schema, builds each question's
 * grammar and checks the recognizer can pronounce every word in it. Exits 1 on any problem.
 */
const dir = process.argv[2] ?? loadConfig().FLOWS_DIR;
let failed = false;
try {
  const flows = loadFlows(dir);
  const model = modelDir();
  for (const flow of flows.values()) {
    const grammars = buildFlowGrammars(flow);
    const words = new Set([...grammars.values()].flatMap((g) => g.words));
    const missing = [...words].filter((w) => pronunciationsOf(w, model).length === 0);
    if (missing.length) {
      failed = true;
      console.error(`✗ ${flow.id}: no pronunciation for ${missing.join(", ")} (add to lib/asr/pronunciations.ts)`);
      continue;
    }
    console.log(
      `✓ ${flow.id} v${flow.version}: ${flow.questions.length} questions (${flow.questions.map((q) => `${q.id}:${q.type}`).join(", ")}), ` +
        `${fixedPrompts(flow).length} prompts, ${words.size} grammar words`,
    );
  }
  if (flows.size === 0) {
    failed = true;
    console.error(`✗ no flows in ${dir}`);
  }
} catch (err) {
  failed = true;
  console.error(`✗ ${(err as Error).message}`);
}
process.exit(failed ? 1 : 0);
