import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, startLocalHttp } from "../../testing/local-http";

/**
 * A local stand-in for OpenAI chat completions, speaking its wire format: `POST
 * /v1/chat/completions` with a Bearer key and a JSON body, answered with a `chat.completion`
 * object, or with OpenAI's error body (401 for a wrong key, the injected status otherwise).
 * What the assistant says comes from `behaviour.reply`, a script given the parsed request;
 * `behaviour` can be changed at any time to inject latency, errors and garbage.
 */

/** The parts of a chat completions request the fake and its tests look at. */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  [key: string]: unknown;
}

export interface FakeChatBehaviour {
  /** Delay before the response (headers and body) is sent. */
  latencyMs: number;
  /** Answer with this HTTP status and OpenAI's error body instead of a completion. */
  status?: number;
  /** "content": a completion whose message is prose, not JSON; "body": a 200 that is an HTML page. */
  garbage?: "content" | "body";
  /** The assistant message's content for a request: a string as is, anything else as its JSON. */
  reply: (request: ChatRequest) => unknown;
}

export interface FakeChatServer {
  /** Base URL for the SDK (`baseURL`), ending in /v1. */
  baseUrl: string;
  behaviour: FakeChatBehaviour;
  requests: Array<{ key: string | undefined; body: ChatRequest }>;
  close(): Promise<void>;
}

/**
 * Waits `ms`, or less if the client goes away first (an aborted request ends the wait, so no timer
 * outlives it). True if the client is still there to answer.
 */
function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const finish = (open: boolean) => {
      clearTimeout(timer);
      res.off("close", onClose);
      resolve(open);
    };
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(true), ms);
    res.on("close", onClose);
  });
}

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", code: null },
  401: {
    message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
    type: "invalid_request_error",
    code: "invalid_api_key",
  },
  404: { message: "Unknown request URL.", type: "invalid_request_error", code: "unknown_url" },
  429: { message: "Rate limit reached for requests.", type: "requests", code: "rate_limit_exceeded" },
};
const SERVER_ERROR = { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", code: null };

const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export async function startFakeChat(o: { apiKey: string } & Partial<FakeChatBehaviour>): Promise<FakeChatServer> {
  const { apiKey, ...initial } = o;
  const behaviour: FakeChatBehaviour = { latencyMs: 0, reply: () => ({ result: { kind: "no_match" } }), ...initial };
  const requests: FakeChatServer["requests"] = [];
  let served = 0;

  const error = (res: ServerResponse, status: number) => {
    const e = ERRORS[status] ?? SERVER_ERROR;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { ...e, param: null } }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://fake").pathname !== "/v1/chat/completions") return error(res, 404);
    const raw = await readBody(req);
    const key = req.headers.authorization?.replace(/^Bearer /, "");
    if (key !== apiKey) return error(res, 401);
    let body: ChatRequest;
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      return error(res, 400);
    }
    requests.push({ key, body });
    const b = behaviour;
    if (!(await waitUnlessClosed(res, b.latencyMs))) return;
    if (b.status) return error(res, b.status);
    if (b.garbage === "body") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
      return;
    }
    const scripted = b.garbage === "content" ? "Sure! The caller said yes, I think." : b.reply(body);
    const content = typeof scripted === "string" ? scripted : JSON.stringify(scripted);
    const prompt = body.messages.map((m) => m.content).join("\n");
    const completion = {
      id: `chatcmpl-fake${++served}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: tokens(prompt), completion_tokens: tokens(content), total_tokens: tokens(prompt) + tokens(content) },
      service_tier: "default",
      system_fingerprint: "fp_fake",
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion));
  };

  const { port, close } = await startLocalHttp(handle);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    behaviour,
    requests,
    close,
  };
}
