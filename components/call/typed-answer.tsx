"use client";

import { useState, type FormEvent } from "react";

/** Answer by typing, during any call (the bot stops talking when an answer is sent). */
export function TypedAnswer({ onSend, onTyping }: { onSend: (text: string) => void; onTyping: () => void }) {
  const [text, setText] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    onSend(t);
    setText("");
  };
  return (
    <form onSubmit={submit} className="flex gap-2 border-t border-slate-100 px-5 py-3">
      <label htmlFor="typed-answer" className="sr-only">
        Type your answer
      </label>
      <input
        id="typed-answer"
        value={text}
        maxLength={500}
        autoComplete="off"
        placeholder="Type an answer, e.g. “about thirty thousand”"
        onChange={(e) => {
          setText(e.target.value);
          onTyping();
        }}
        className="min-w-0 flex-1 rounded-xl border border-slate-300 px-3 py-2 text-sm placeholder:text-slate-400 focus:border-brand-500"
      />
      <button type="submit" className="rounded-xl bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700">
        Send
      </button>
    </form>
  );
}
