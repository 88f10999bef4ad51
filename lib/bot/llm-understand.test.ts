import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Flow, Question } from "./flow-schema";
import { loadFlows } from "./flows";
import { llmUnderstand, type LlmUnderstandOptions } from "./llm-understand";
import { startFakeChat, type ChatRequest, type FakeChatServer } from "./testing/fake-chat-server";

const KEY = "sk-test-key";
const MODEL = "gpt-4o-mini";
const flows = loadFlows("flows");

function questionOf(flowId: string, questionId: string): [Flow, Question] {
  const flow = flows.get(flowId);
  const question = flow?.questions.find((q) => q.id === questionId);
  if (!flow || !question) throw new Error(`no question ${flowId}/${questionId}`);
  return [flow, question];
}

let fake: FakeChatServer;

beforeAll(async () => {
  fake = await startFakeChat({ apiKey: KEY });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.behaviour.latencyMs = 0;
  fake.behaviour.status = undefined;
  fake.behaviour.garbage = undefined;
  fake.behaviour.reply = () => ({ result: { kind: "no_match" } });
  fake.requests.length = 0;
});

const options = (o: Partial<LlmUnderstandOptions> = {}): LlmUnderstandOptions => ({
  apiKey: KEY,
  baseUrl: fake.baseUrl,
  model: MODEL,
  timeoutMs: 2000,
  ...o,
});

type JsonSchema = { type?: string; enum?: unknown[]; anyOf?: JsonSchema[]; properties?: Record<string, JsonSchema>; [k: string]: unknown };

/** The alternatives of `result` in the schema a request carried, by kind. */
function resultAlternatives(request: ChatRequest): Map<string, JsonSchema> {
  const schema = request.response_format?.json_schema?.schema as JsonSchema;
  const result = schema.properties?.result as JsonSchema;
  const alternatives = result.anyOf ?? [result];
  return new Map(alternatives.map((a) => [String(a.properties?.kind?.enum?.[0]), a]));
}

/** The schemas an answer's value may match: one, or the members of its anyOf. */
function valueSchemas(request: ChatRequest): JsonSchema[] {
  const value = resultAlternatives(request).get("answer")?.properties?.value as JsonSchema;
  return value.anyOf ?? [value];
}

describe("llmUnderstand", () => {
  it("asks with the question's allowed values in a strict schema and returns the model's choice", async () => {
    const [flow, city] = questionOf("quickrupee", "city");
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: "Mumbai" } });
    const result = await llmUnderstand(flow, city, "I'm in Andheri, near the airport.", options());
    expect(result).toEqual({ kind: "answer", value: "Mumbai" });

    expect(fake.requests).toHaveLength(1);
    const { key, body } = fake.requests[0]!;
    expect(key).toBe(KEY);
    expect(body.model).toBe(MODEL);
    expect(body.messages.at(-1)).toEqual({ role: "user", content: "I'm in Andheri, near the airport." });
    expect(body.messages[0]?.role).toBe("system");
    expect(body.messages[0]?.content).toContain(city.prompt);
    expect(body.response_format).toMatchObject({ type: "json_schema", json_schema: { strict: true } });
    expect(body.response_format?.json_schema?.schema).toMatchObject({ type: "object", additionalProperties: false, required: ["result"] });

    const alternatives = resultAlternatives(body);
    expect([...alternatives.keys()].sort()).toEqual(["answer", "faq", "intent", "no_match"]);
    expect(alternatives.get("intent")?.properties?.intent?.enum).toEqual(["repeat", "agent", "stop", "hold"]);
    expect(alternatives.get("faq")?.properties?.faqId?.enum).toEqual(["what_is_call"]);
    // asked as yes/no, so a boolean is allowed next to exactly the options
    const values = valueSchemas(body);
    expect(values).toContainEqual({ type: "boolean" });
    expect(values.find((v) => v.type === "string")?.enum).toEqual(city.type === "choice" ? city.options.map((o) => o.value) : []);
  });

  it("offers amounts in the question's range and its own FAQs at a number question", async () => {
    const [flow, budget] = questionOf("home-renovation", "budget");
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: 12000 } });
    expect(await llmUnderstand(flow, budget, "Twelve, maybe thirteen thousand tops.", options())).toEqual({ kind: "answer", value: 12000 });
    const body = fake.requests[0]!.body;
    expect(valueSchemas(body)).toContainEqual({ type: "number", minimum: 100, maximum: 10_000_000 });
    expect(resultAlternatives(body).get("faq")?.properties?.faqId?.enum).toEqual(["what_is_call", "why_budget"]);
  });

  it("offers months at a duration question, and yes/no only where the question is asked as yes/no", async () => {
    const [flow, timeline] = questionOf("home-renovation", "timeline");
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: 4 } });
    expect(await llmUnderstand(flow, timeline, "Once the monsoon is over, so October.", options())).toEqual({ kind: "answer", value: 4 });
    expect(valueSchemas(fake.requests[0]!.body)).toEqual([{ type: "boolean" }, { type: "number", minimum: 0 }]);

    const [, owner] = questionOf("home-renovation", "owner");
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: false } });
    expect(await llmUnderstand(flow, owner, "It's rented.", options())).toEqual({ kind: "answer", value: false });
    expect(valueSchemas(fake.requests[1]!.body)).toEqual([{ type: "boolean" }]);
  });

  it("passes intents, FAQs and no_match through", async () => {
    const [flow, salary] = questionOf("quickrupee", "salary");
    for (const result of [
      { kind: "intent", intent: "agent" },
      { kind: "faq", faqId: "why_salary" },
      { kind: "no_match" },
    ] as const) {
      fake.behaviour.reply = () => ({ result });
      expect(await llmUnderstand(flow, salary, "Hmm.", options())).toEqual(result);
    }
  });

  it("gives up within the timeout when the service is slow", async () => {
    const [flow, salaried] = questionOf("quickrupee", "salaried");
    fake.behaviour.latencyMs = 10_000;
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: true } });
    const started = performance.now();
    const result = await llmUnderstand(flow, salaried, "I work at a bank.", options({ timeoutMs: 200 }));
    const elapsedMs = performance.now() - started;
    expect(result).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    // well before the reply would have come: the call did not wait for it
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it("stops when the caller's signal aborts", async () => {
    const [flow, salaried] = questionOf("quickrupee", "salaried");
    fake.behaviour.latencyMs = 10_000;
    const controller = new AbortController();
    const pending = llmUnderstand(flow, salaried, "I work at a bank.", options({ timeoutMs: 20_000, signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBeUndefined();
    expect(await llmUnderstand(flow, salaried, "yes", options({ signal: controller.signal }))).toBeUndefined();
  });

  it.each([
    ["a 500", { status: 500 }],
    ["a 429", { status: 429 }],
    ["prose instead of JSON in the message", { garbage: "content" as const }],
    ["an HTML page instead of a completion", { garbage: "body" as const }],
  ])("is undefined for %s", async (_name, behaviour) => {
    const [flow, salary] = questionOf("quickrupee", "salary");
    Object.assign(fake.behaviour, behaviour);
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: 30000 } });
    expect(await llmUnderstand(flow, salary, "thirty-ish", options())).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it("is undefined for a wrong key (401 in OpenAI's error format)", async () => {
    const [flow, salary] = questionOf("quickrupee", "salary");
    expect(await llmUnderstand(flow, salary, "thirty-ish", options({ apiKey: "sk-wrong" }))).toBeUndefined();
    const response = await fetch(`${fake.baseUrl}/chat/completions`, { method: "POST", headers: { authorization: "Bearer sk-wrong" }, body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error", code: "invalid_api_key" } });
  });

  it("is undefined when nothing listens", async () => {
    const [flow, salary] = questionOf("quickrupee", "salary");
    const gone = await startFakeChat({ apiKey: KEY });
    await gone.close();
    expect(await llmUnderstand(flow, salary, "thirty-ish", options({ baseUrl: gone.baseUrl }))).toBeUndefined();
  });

  it.each<[string, string, string, unknown]>([
    ["an option the question does not have", "quickrupee/city", "I'm in Surat.", { result: { kind: "answer", value: "Surat" } }],
    ["an amount below the question's range", "quickrupee/salary", "Thirty.", { result: { kind: "answer", value: 30 } }],
    ["a number at a choice question", "quickrupee/city", "Pin code 400001.", { result: { kind: "answer", value: 400001 } }],
    ["a negative time span", "home-renovation/timeline", "Last month.", { result: { kind: "answer", value: -1 } }],
    ["another question's FAQ", "quickrupee/city", "Why do you need my salary?", { result: { kind: "faq", faqId: "why_salary" } }],
    ["an intent that does not exist", "quickrupee/salaried", "Call me tomorrow.", { result: { kind: "intent", intent: "callback" } }],
    ["an unknown kind", "quickrupee/salaried", "Hmm.", { result: { kind: "maybe" } }],
    ["an extra property", "quickrupee/salaried", "Yes.", { result: { kind: "answer", value: true, confidence: 0.9 } }],
    ["no result wrapper", "quickrupee/salaried", "Yes.", { kind: "answer", value: true }],
    ["a string for a yes", "quickrupee/salaried", "Yes.", { result: { kind: "answer", value: "yes" } }],
    ["null", "quickrupee/salaried", "Yes.", null],
  ])("is undefined for a reply outside the schema: %s", async (_name, where, text, reply) => {
    const [flowId, questionId] = where.split("/") as [string, string];
    const [flow, question] = questionOf(flowId, questionId);
    fake.behaviour.reply = () => reply;
    expect(await llmUnderstand(flow, question, text, options())).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it("does not allow yes/no at a question not asked as yes/no", async () => {
    const [flow, city] = questionOf("quickrupee", "city");
    const plain: Question = { ...city, yesNo: false };
    fake.behaviour.reply = () => ({ result: { kind: "answer", value: true } });
    expect(await llmUnderstand(flow, plain, "Yes.", options())).toBeUndefined();
    expect(valueSchemas(fake.requests[0]!.body).map((v) => v.type)).toEqual(["string"]);
  });

  it("does not call the service for an empty turn", async () => {
    const [flow, salaried] = questionOf("quickrupee", "salaried");
    expect(await llmUnderstand(flow, salaried, "  ", options())).toEqual({ kind: "no_match" });
    expect(fake.requests).toHaveLength(0);
  });
});
