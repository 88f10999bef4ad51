import { z } from "zod";
import { Channel, OUTCOMES } from "../transport/protocol";

/** `GET /api/calls` query: filters and a page. Unknown parameters are refused. */
export const CallFilter = z
  .object({
    bot: z.string().min(1).max(64).optional(),
    outcome: z.enum([...OUTCOMES, "dropped", "live"]).optional(),
    channel: Channel.optional(),
    /** The carrier's id of a phone call (Twilio CallSid, Exotel call_sid). */
    carrierCallId: z.string().min(1).max(64).optional(),
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type CallFilter = z.infer<typeof CallFilter>;

export const CallId = z.uuid();
