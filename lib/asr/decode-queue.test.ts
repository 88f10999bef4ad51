import { describe, expect, it } from "vitest";
import { DecodeQueue, SLICE_MAX_SAMPLES } from "./decode-queue";

const chunk = (value: number, length = 320) => new Int16Array(length).fill(value);

function drain(q: DecodeQueue<string>) {
  const jobs: Array<{ id: string; samples: number[]; finish: boolean }> = [];
  for (let job = q.next(); job; job = q.next()) jobs.push({ id: job.id, samples: job.audio ? [...new Set(job.audio)] : [], finish: job.finish });
  return jobs;
}

describe("DecodeQueue", () => {
  it("decodes in arrival order when nobody has paused or finished", () => {
    const q = new DecodeQueue<string>();
    for (const id of ["a", "b", "c"]) q.add(id);
    q.push("b", chunk(1));
    q.push("a", chunk(2));
    q.push("b", chunk(3));
    q.push("c", chunk(4));
    expect(drain(q)).toEqual([
      { id: "b", samples: [1, 3], finish: false },
      { id: "a", samples: [2], finish: false },
      { id: "c", samples: [4], finish: false },
    ]);
  });

  it("serves a finished utterance first, with all its audio, then a paused one, then the rest", () => {
    const q = new DecodeQueue<string>();
    for (const id of ["talking", "paused", "done"]) q.add(id);
    q.push("talking", chunk(1));
    q.push("paused", chunk(2));
    q.push("done", chunk(3));
    q.push("done", chunk(5));
    q.setPaused("paused", true);
    q.finish("done");
    expect(drain(q)).toEqual([
      { id: "done", samples: [3, 5], finish: true },
      { id: "paused", samples: [2], finish: false },
      { id: "talking", samples: [1], finish: false },
    ]);
    // The finished utterance left the queue; the others stay for more audio.
    expect(q.size).toBe(2);
  });

  it("finishes utterances in the order their turns ended, even with nothing queued", () => {
    const q = new DecodeQueue<string>();
    for (const id of ["x", "y"]) q.add(id);
    q.push("x", chunk(1));
    q.finish("y");
    q.finish("x");
    expect(drain(q)).toEqual([
      { id: "y", samples: [], finish: true },
      { id: "x", samples: [1], finish: true },
    ]);
  });

  it("takes a long backlog in slices so others are not starved, keeping its place", () => {
    const q = new DecodeQueue<string>();
    q.add("long");
    q.add("short");
    for (let i = 0; i < 40; i++) q.push("long", chunk(1));
    q.push("short", chunk(2));
    const first = q.next()!;
    expect(first.id).toBe("long");
    expect(first.audio!.length).toBeLessThanOrEqual(SLICE_MAX_SAMPLES);
    // The rest of the long backlog is still older than the short one's audio.
    expect(q.next()!.audio!.length).toBe(40 * 320 - first.audio!.length);
    expect(q.queuedSamples).toBe(320);
    expect(q.next()!.id).toBe("short");
  });

  it("an utterance that spoke again loses its priority; audio after finish or cancel is dropped", () => {
    const q = new DecodeQueue<string>();
    for (const id of ["a", "b"]) q.add(id);
    q.push("a", chunk(1));
    q.push("b", chunk(2));
    q.setPaused("b", true);
    q.setPaused("b", false);
    q.finish("a");
    q.push("a", chunk(9));
    q.remove("b");
    q.push("b", chunk(9));
    expect(drain(q)).toEqual([{ id: "a", samples: [1], finish: true }]);
  });
});
