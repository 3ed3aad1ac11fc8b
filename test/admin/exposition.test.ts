import { describe, expect, it } from "bun:test";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "../../src/admin/metrics/exposition.ts";
import type { MetricFamily } from "../../src/admin/metrics/metric-family.ts";
import { promtoolCheck } from "./promtool.ts";

const counter = (name: string, samples: MetricFamily["samples"], help = "Things counted."): MetricFamily => ({ name, help, type: "counter", samples });

describe("Prometheus text exposition", () => {
  it("writes HELP, TYPE and one line per sample, ending with a line feed", () => {
    const text = renderExposition([counter("mongoose_feed_published_total", [{ labels: { agent: "a", feed: "in" }, value: 3 }, { labels: { agent: "a", feed: "other" }, value: 0 }])]);
    expect(text).toBe([
      "# HELP mongoose_feed_published_total Things counted.",
      "# TYPE mongoose_feed_published_total counter",
      'mongoose_feed_published_total{agent="a",feed="in"} 3',
      'mongoose_feed_published_total{agent="a",feed="other"} 0',
      "",
    ].join("\n"));
    expect(renderExposition([{ name: "mongoose_uptime_seconds", help: "Up.", type: "gauge", samples: [{ labels: {}, value: 1.5 }] }])).toContain("\nmongoose_uptime_seconds 1.5\n");
    expect(renderExposition([])).toBe("");
    expect(EXPOSITION_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("escapes backslash, double quote and line feed in label values, backslash and line feed in help", () => {
    const family = counter("mongoose_handler_events_total", [{ labels: { handler: 'a\\b"c\nd' }, value: 1 }], 'Events "quoted", a \\ backslash\nand a second line.');
    const text = renderExposition([family]);
    expect(text).toContain('# HELP mongoose_handler_events_total Events "quoted", a \\\\ backslash\\nand a second line.\n');
    expect(text).toContain('mongoose_handler_events_total{handler="a\\\\b\\"c\\nd"} 1\n');
    expect(text.split("\n")).toHaveLength(4); // no raw line feed leaked into the text
    expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
  });

  it("spells infinities and NaN the way Prometheus parses them", () => {
    const text = renderExposition([{ name: "mongoose_x", help: "X.", type: "gauge", samples: [{ labels: { v: "inf" }, value: Infinity }, { labels: { v: "minus" }, value: -Infinity }, { labels: { v: "nan" }, value: NaN }, { labels: { v: "big" }, value: 1e21 }] }]);
    expect(text).toContain('mongoose_x{v="inf"} +Inf\n');
    expect(text).toContain('mongoose_x{v="minus"} -Inf\n');
    expect(text).toContain('mongoose_x{v="nan"} NaN\n');
    expect(text).toContain('mongoose_x{v="big"} 1e+21\n');
    expect(promtoolCheck(text).code).toBe(0);
  });

  it("orders families by name and samples by label set, keeping each histogram's buckets in order, whatever order they come in", () => {
    const histogram = (ring: string): MetricFamily["samples"] => [
      { labels: { feed: ring, le: "1" }, value: 1, suffix: "_bucket" },
      { labels: { feed: ring, le: "2" }, value: 3, suffix: "_bucket" },
      { labels: { feed: ring, le: "+Inf" }, value: 4, suffix: "_bucket" },
      { labels: { feed: ring }, value: 9, suffix: "_sum" },
      { labels: { feed: ring }, value: 4, suffix: "_count" },
    ];
    const families: MetricFamily[] = [
      counter("mongoose_zeta_total", [{ labels: { agent: "b" }, value: 2 }, { labels: { agent: "a" }, value: 1 }]),
      { name: "mongoose_batch_size", help: "Batches.", type: "histogram", samples: [...histogram("y"), ...histogram("x")] },
      counter("mongoose_alpha_total", [{ labels: {}, value: 5 }]),
    ];
    const text = renderExposition(families);
    const lines = text.trim().split("\n").filter((line) => !line.startsWith("#"));
    expect(lines).toEqual([
      "mongoose_alpha_total 5",
      'mongoose_batch_size_bucket{feed="x",le="1"} 1',
      'mongoose_batch_size_bucket{feed="x",le="2"} 3',
      'mongoose_batch_size_bucket{feed="x",le="+Inf"} 4',
      'mongoose_batch_size_sum{feed="x"} 9',
      'mongoose_batch_size_count{feed="x"} 4',
      'mongoose_batch_size_bucket{feed="y",le="1"} 1',
      'mongoose_batch_size_bucket{feed="y",le="2"} 3',
      'mongoose_batch_size_bucket{feed="y",le="+Inf"} 4',
      'mongoose_batch_size_sum{feed="y"} 9',
      'mongoose_batch_size_count{feed="y"} 4',
      'mongoose_zeta_total{agent="a"} 1',
      'mongoose_zeta_total{agent="b"} 2',
    ]);
    expect(renderExposition([...families].reverse())).toBe(text);
    expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
  });

  it("refuses two families of one name, which Prometheus would reject", () => {
    expect(() => renderExposition([counter("mongoose_a_total", []), counter("mongoose_a_total", [])])).toThrow("mongoose_a_total is produced twice");
  });

  it("is checked by a promtool that does reject broken text", () => {
    const broken = promtoolCheck("# TYPE mongoose_a_total counter\nmongoose_a_total{x=\"unterminated} 1\n");
    expect(broken.code).not.toBe(0);
    expect(broken.output).not.toBe("");
  });
});
