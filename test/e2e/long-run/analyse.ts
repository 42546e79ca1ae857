// Judges a long-running client's event log: which failures happened at the instant client-go swapped
// certificates (it closes every connection then: connrotation's CloseAll in the exec authenticator),
// which during a known outage (API server restarted), and which are unexplained.
import type { ClientEvent } from './events.js';

/** A time span (Unix ms) in which failures are expected, e.g. while the API server restarts. */
export interface Outage {
  from: number;
  to: number;
}

export interface Verdict {
  requests: number;
  failed: number;
  /** Per rotation: failed requests in flight at that instant, and watch streams it ended. */
  rotations: Array<{ t: number; failedRequests: number; watchEnds: number }>;
  failedInOutages: number;
  unexplainedFailures: string[];
  watchEnds: number;
  watchEndsInOutages: number;
  unexplainedWatchEnds: number[];
  /** Per watch end (or outage end): ms until the next watch the API server accepted (Infinity: none). */
  rewatchMs: number[];
  watchOpenAtEnd: boolean;
  /** Distinct certificates the API server saw, in order of first use. */
  certificates: string[];
  notIssuedToUs: string[];
  /** Successful requests started at or after NotAfter (or before NotBefore) of their certificate. */
  outsideValidity: number;
  pluginRuns: number;
  pluginFailures: number;
  retries: number;
  durationMs: number;
}

/** How long after CloseAll a stream may take to notice, and before it a request may have started. */
const closeNoticeMs = 3_000;
const inFlightBeforeMs = 1_000;

export function analyse(events: ClientEvent[], outages: Outage[] = [], slackMs = 3_000): Verdict {
  const rotations = events.filter((e) => e.kind === 'rotation').map((e) => ({ t: e.t, failedRequests: 0, watchEnds: 0 }));
  const inOutage = (from: number, to: number) => outages.some((o) => from <= o.to + slackMs && to >= o.from);
  const issued = new Map<string, { notBefore: number; notAfter: number }>();
  for (const e of events) if (e.kind === 'issued') issued.set(e.credentialId, e);

  const verdict: Verdict = {
    requests: 0,
    failed: 0,
    rotations,
    failedInOutages: 0,
    unexplainedFailures: [],
    watchEnds: 0,
    watchEndsInOutages: 0,
    unexplainedWatchEnds: [],
    rewatchMs: [],
    watchOpenAtEnd: false,
    certificates: [],
    notIssuedToUs: [],
    outsideValidity: 0,
    pluginRuns: 0,
    pluginFailures: 0,
    retries: 0,
    durationMs: (events.at(-1)?.t ?? 0) - (events[0]?.t ?? 0),
  };
  let watchOpen = false;
  events.forEach((e, index) => {
    if (e.kind === 'request') {
      verdict.requests += 1;
      if (e.ok) {
        if (!verdict.certificates.includes(e.credentialId)) verdict.certificates.push(e.credentialId);
        const validity = issued.get(e.credentialId);
        if (validity && (e.start >= validity.notAfter || e.end < validity.notBefore)) verdict.outsideValidity += 1;
        return;
      }
      verdict.failed += 1;
      const rotation = rotations.find((r) => r.t >= e.start - inFlightBeforeMs && r.t <= e.end);
      if (inOutage(e.start, e.end)) verdict.failedInOutages += 1;
      else if (rotation) rotation.failedRequests += 1;
      else verdict.unexplainedFailures.push(`${new Date(e.start).toISOString()}: ${e.error}`);
    } else if (e.kind === 'watch-closed' || e.kind === 'watch-error') {
      const wasOpen = watchOpen;
      watchOpen = false;
      // A refused re-watch while the API server is down is one outage, not another interruption.
      if (!wasOpen && inOutage(e.t, e.t)) return;
      verdict.watchEnds += 1;
      const rotation = rotations.find((r) => e.t >= r.t && e.t <= r.t + closeNoticeMs);
      const outage = outages.find((o) => e.t >= o.from && e.t <= o.to + slackMs);
      if (outage) verdict.watchEndsInOutages += 1;
      else if (rotation) rotation.watchEnds += 1;
      else verdict.unexplainedWatchEnds.push(e.t);
      // Counted from when the API server is back, for an end during an outage.
      const next = events.slice(index + 1).find((n) => n.kind === 'watch-open');
      verdict.rewatchMs.push(next ? Math.max(0, next.t - Math.max(e.t, outage?.to ?? 0)) : Number.POSITIVE_INFINITY);
    } else if (e.kind === 'watch-open') {
      watchOpen = true;
    } else if (e.kind === 'plugin-run') {
      verdict.pluginRuns += 1;
      if (e.exitCode !== 0) verdict.pluginFailures += 1;
    } else if (e.kind === 'retry') {
      verdict.retries += 1;
    }
  });
  verdict.watchOpenAtEnd = watchOpen;
  verdict.notIssuedToUs = verdict.certificates.filter((id) => !issued.has(id));
  return verdict;
}
