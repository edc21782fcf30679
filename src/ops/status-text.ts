import type { ContractReport } from './contract-report';
import { formatHeldChange } from '../handlers/held-changes';
import type { ObservedState } from '../handlers/plan/observed-state';
import type { StatusDocument } from './ops-monitor';
import type { SourceLag } from './source-lag';

/** `12.3 s`, `4.2 min`, `1.5 h`; a dash when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function table(header: string[], rows: Array<Array<string | number>>, indent = '  '): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

/** Debezium's MilliSecondsBehindSource as one phrase (status text and status page). */
function formatSourceLag(source: SourceLag | undefined): string {
  if (!source) return 'lag unknown (no CONNECT_METRICS_URL)';
  if (source.lagMs === null) return `lag unknown (${source.detail ?? 'no value'})`;
  const state = [source.connected === false ? 'binlog disconnected' : null, source.snapshotRunning ? 'snapshot running' : null].filter(Boolean);
  return `Debezium ${formatDuration(source.lagMs / 1000)} behind the binlog${state.length > 0 ? ` (${state.join(', ')})` : ''}`;
}

interface PipelineExtras {
  /** When the connector last wrote a heartbeat (ms), read from the heartbeat topic. */
  heartbeatWrittenAt: number | null;
  /** Workers seen recently (worker_heartbeat). */
  liveWorkers: string[];
}

/** The whole pipeline at a glance, for a terminal. */
export function formatStatus(doc: StatusDocument, extras: PipelineExtras): string[] {
  const now = Date.parse(doc.generatedAt);
  const c = doc.connector;
  const lines: string[] = [];
  const tasks = c.tasks.map((t) => `task ${t.id} ${t.state}`).join(', ') || 'no tasks';
  const hb = extras.heartbeatWrittenAt === null ? 'no heartbeat on the topic' : `last heartbeat written ${formatDuration((now - extras.heartbeatWrittenAt) / 1000)} ago`;
  lines.push(`Connector   ${c.name} ${c.state} (${tasks}); ${hb}`);
  if (c.detail) lines.push(`            ${c.detail}`);
  lines.push(`Source      ${formatSourceLag(c.source)}`);
  const l = doc.lag;
  if (!l.ok) lines.push(`Consumer    group ${l.groupId}: unknown (${l.error ?? 'no answer'})`);
  else {
    lines.push(`Consumer    group ${l.groupId}: ${l.totalLag} records behind, oldest unconsumed ${formatDuration(l.maxLagSeconds)} old`);
    lines.push(
      ...table(
        ['topic', 'part', 'committed', 'high', 'lag', 'lag age'],
        l.partitions.map((p) => [p.topic, p.partition, p.committedOffset ?? 'none', p.highWatermark, p.lag, p.lag === 0 ? '0' : formatDuration(p.lagSeconds)]),
        '            ',
      ),
    );
    if (l.missingTopics.length > 0) lines.push(`            missing topics: ${l.missingTopics.join(', ')}`);
  }
  const w = doc.workSet;
  if (!w.ok) lines.push(`Work set    unknown (${w.error ?? 'no answer'})`);
  else {
    lines.push(`Work set    backlog ${w.backlog} (oldest mark ${formatDuration(w.oldestAgeSeconds)} old), in flight ${w.leased}`);
    const parked = Object.entries(w.parkedByReason);
    lines.push(`Parked      ${parked.length === 0 ? 'none' : parked.map(([r, n]) => `${r} ${n}`).join(', ')}`);
    lines.push(`Held        ${w.heldChanges.length === 0 ? 'no change held by the blast-radius guard' : `${w.heldChanges.length} change(s) waiting for "reconcile --confirm <change>"`}`);
    for (const c of w.heldChanges) lines.push(`            ${formatHeldChange(c)}`);
  }
  lines.push(`Dead letter ${doc.dlq.topicRecords === null ? 'unknown' : `${doc.dlq.topicRecords} record(s)`}`);
  lines.push(`Workers     ${extras.liveWorkers.length === 0 ? 'none running' : `${extras.liveWorkers.length} live: ${extras.liveWorkers.join(', ')}`}`);
  if (w.ok && w.recentFailures.length > 0) {
    lines.push('Unsettled failures');
    lines.push(...table(['contract', 'attempts', 'parked', 'age', 'error'], w.recentFailures.map((f) => [f.contractId, f.attempts, f.parkedReason ?? '', formatDuration(f.ageSeconds), f.error.split('\n')[0] ?? ''])));
  }
  return lines;
}

function observed(label: string, o: ObservedState | null): string[] {
  if (!o) return [`${label.padEnd(10)}  –`];
  const sub = o.subscription ? `subscription ${o.subscription.ref} ${o.subscription.status}` : 'no subscription';
  const lic = o.licences.length === 0 ? 'no licences' : o.licences.map((l) => `${l.platformProductId}: ${l.ref ?? 'none'} ${l.status ?? '–'} × ${l.quantity}`).join('; ');
  return [`${label.padEnd(10)}  ${sub} (epoch ${o.epoch}); ${lic}`];
}

/** One contract explained, for a terminal. */
export function formatContractReport(r: ContractReport): string[] {
  const lines = [`Contract ${r.contractId}`];
  const w = r.workSet;
  if (w) {
    lines.push(
      `work set    ${w.dirty ? `dirty (marked ${formatDuration(w.markedAgoSeconds)} ago, next attempt ${w.nextAttemptInSeconds !== null && w.nextAttemptInSeconds > 0 ? `in ${formatDuration(w.nextAttemptInSeconds)}` : 'now'})` : 'clean'}, generation ${w.generation}, priority ${w.priority}, attempts ${w.attempts}${w.verifyRequested ? ', verify requested' : ''}${w.leaseOwner ? `, leased by ${w.leaseOwner}` : ''}`,
    );
    if (w.parkedReason) lines.push(`            parked: ${w.parkedReason}${w.parkedDetail ? ` — ${w.parkedDetail}` : ''}`);
    lines.push(`            last outcome ${w.lastOutcome ?? '–'} ${w.lastReconciledAgoSeconds !== null ? `${formatDuration(w.lastReconciledAgoSeconds)} ago` : ''}`.trimEnd());
    if (w.lastError) lines.push(`            last error (${formatDuration(w.lastErrorAgoSeconds)} ago): ${w.lastError}`);
  }
  const d = r.desired as { decision?: { target: string; rule: number }; customer?: { ok: boolean; clienteId: number | null; reason?: string }; licences?: Array<{ platformProductId: string; quantity: number }> } | null;
  if (d?.decision) {
    const customer = d.customer?.ok ? `customer ${d.customer.clienteId} ok` : `customer ${d.customer?.clienteId ?? '–'} invalid (${d.customer?.reason ?? '?'})`;
    const lic = (d.licences ?? []).map((l) => `${l.platformProductId} × ${l.quantity}`).join(', ') || 'no IoT lines';
    lines.push(`desired     ${d.decision.target} (rule ${d.decision.rule}); ${customer}; ${lic}`);
  } else lines.push('desired     –');
  if (r.ownership) lines.push(`owner       ${r.ownership}`);
  lines.push(...observed('recorded', r.recorded), ...observed('platform', r.platform));
  if (r.plan) {
    lines.push(`plan        against ${r.plan.against}: ${r.plan.actions.length === 0 ? 'nothing to do' : r.plan.actions.join('; ')}${r.plan.park ? ` — would park: ${JSON.stringify(r.plan.park)}` : ''}`);
    for (const warning of r.plan.warnings) lines.push(`            warning: ${warning}`);
  }
  for (const note of r.notes) lines.push(`note        ${note}`);
  lines.push(`audit       ${r.audit.length === 0 ? 'no API calls recorded' : `last ${r.audit.length} API call(s), newest first`}`);
  if (r.audit.length > 0) {
    lines.push(...table(['at', 'call', 'status', 'ms', 'try', 'error'], r.audit.map((a) => [a.at, `${a.method} ${a.path}`, a.status ?? 'none', a.durationMs, a.attempt, a.error ?? ''])));
  }
  return lines;
}
