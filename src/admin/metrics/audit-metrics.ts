/**
 * `mongoose_audit_write_failures_total`: audit entries that could not be written (a full disk, a
 * permission changed). Alert on it: the admin calls still ran, unaudited.
 *
 * @module
 */
import type { AuditLog } from "../audit/audit-log.ts";
import type { MetricCollector } from "./metric-family.ts";

/**
 * @example
 * ```ts
 * const collectors = [...METRIC_COLLECTORS, auditMetrics(audit)];
 * ```
 */
export function auditMetrics(audit: AuditLog): MetricCollector {
  return () => [{
    name: "mongoose_audit_write_failures_total",
    help: "Audit log entries that could not be written.",
    type: "counter",
    samples: [{ labels: {}, value: audit.writeFailures }],
  }];
}
