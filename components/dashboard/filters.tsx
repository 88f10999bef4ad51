import type { CallFilter } from "@/lib/store/query";
import { OUTCOME_STYLE } from "./format";

const select = "rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** A plain GET form: filters live in the URL, so a filtered view can be shared and reloaded. */
export function Filters({ f, bots }: { f: Partial<CallFilter>; bots: Array<{ id: string; name: string }> }) {
  return (
    <form method="get" action="/dashboard" className="flex flex-wrap items-end gap-3" aria-label="Filter calls">
      <label className="text-xs text-slate-500">
        Bot
        <select name="bot" defaultValue={f.bot ?? ""} className={`mt-1 block ${select}`}>
          <option value="">All bots</option>
          {bots.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-500">
        Outcome
        <select name="outcome" defaultValue={f.outcome ?? ""} className={`mt-1 block ${select}`}>
          <option value="">Any outcome</option>
          {Object.entries(OUTCOME_STYLE).map(([id, s]) => (
            <option key={id} value={id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-500">
        Channel
        <select name="channel" defaultValue={f.channel ?? ""} className={`mt-1 block ${select}`}>
          <option value="">Any channel</option>
          {["browser", "cli", "twilio", "exotel"].map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-500">
        From
        <input type="date" name="from" defaultValue={f.from?.slice(0, 10) ?? ""} className={`mt-1 block ${select}`} />
      </label>
      <label className="text-xs text-slate-500">
        To (before)
        <input type="date" name="to" defaultValue={f.to?.slice(0, 10) ?? ""} className={`mt-1 block ${select}`} />
      </label>
      <button type="submit" className="rounded-lg bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Apply
      </button>
      <a href="/dashboard" className="px-1 py-1.5 text-sm text-slate-500 hover:text-slate-800">
        Clear
      </a>
    </form>
  );
}
