export interface BotSummary {
  id: string;
  name: string;
  description: string;
  questions: string[];
}

export function BotList({ bots }: { bots: BotSummary[] }) {
  return (
    <ul style={{ listStyle: "none", padding: 0 }}>
      {bots.map((bot) => (
        <li key={bot.id} className="bot" data-bot={bot.id}>
          <h2>{bot.name}</h2>
          <p className="muted">{bot.description}</p>
          <ol>
            {bot.questions.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ol>
          <p>
            Call it from a terminal: <code>npm run call -- --bot {bot.id} --answers &quot;yes;yes;yes&quot;</code>
          </p>
        </li>
      ))}
    </ul>
  );
}
