import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TurnRecord } from "../call/session";

const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 2000, 5000];

/**
 * Prometheus metrics for /metrics: process defaults, live calls, per-stage turn latency,
 * calls by outcome, errors by code (every warn/error log line with a `code`), webhook deliveries.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly activeCalls: Gauge;
  readonly calls: Counter;
  readonly stageMs: Histogram;
  readonly voiceToVoiceMs: Histogram;
  readonly errors: Counter;
  readonly webhookDeliveries: Counter;
  readonly providerFallbacks: Counter;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "voice_" });
    this.activeCalls = new Gauge({ name: "voice_active_calls", help: "Calls in progress", registers: [this.registry] });
    this.calls = new Counter({ name: "voice_calls_total", help: "Finished calls by outcome and channel", labelNames: ["outcome", "channel", "bot"], registers: [this.registry] });
    this.stageMs = new Histogram({
      name: "voice_turn_stage_ms",
      help: "Per-turn latency by stage (endpoint, asr, decision, tts_first_audio, record), ms",
      labelNames: ["stage"],
      buckets: LATENCY_BUCKETS_MS,
      registers: [this.registry],
    });
    this.voiceToVoiceMs = new Histogram({
      name: "voice_turn_voice_to_voice_ms",
      help: "Server voice-to-voice per caller turn (last voiced sample to first reply frame), ms",
      labelNames: ["source"],
      buckets: LATENCY_BUCKETS_MS,
      registers: [this.registry],
    });
    this.errors = new Counter({ name: "voice_errors_total", help: "Warnings and errors logged, by code", labelNames: ["code", "level"], registers: [this.registry] });
    this.providerFallbacks = new Counter({
      name: "voice_provider_fallbacks_total",
      help: "Turns a cloud provider did not serve and the embedded engine did, by stage, provider and reason",
      labelNames: ["stage", "provider", "reason"],
      registers: [this.registry],
    });
    this.webhookDeliveries = new Counter({ name: "voice_webhook_deliveries_total", help: "Lead webhook attempts by result", labelNames: ["result"], registers: [this.registry] });
  }

  turn(t: TurnRecord): void {
    if (!t.stages || t.voiceToVoiceMs === null) return;
    const s = t.stages;
    this.stageMs.observe({ stage: "endpoint" }, s.endpointMs);
    this.stageMs.observe({ stage: "asr" }, s.asrMs);
    this.stageMs.observe({ stage: "decision" }, s.decisionMs);
    this.stageMs.observe({ stage: "tts_first_audio" }, s.ttsFirstAudioMs);
    if (s.recordMs !== undefined) this.stageMs.observe({ stage: "record" }, s.recordMs);
    this.voiceToVoiceMs.observe({ source: t.source }, t.voiceToVoiceMs);
  }

  /** For the logger: count a log record that carries an error code. */
  logged(level: number, record: unknown): void {
    if (level < 40 || typeof record !== "object" || record === null) return;
    const code = (record as { code?: unknown }).code;
    if (typeof code === "string") this.errors.inc({ code, level: level >= 50 ? "error" : "warn" });
  }
}
