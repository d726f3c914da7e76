import type { Job } from '@rackops/core/jobs/job.schema';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { clip } from '@rackops/core/util/clip';
import { STATUS_ICON, jobLabel } from '../cards/job-label';
import { messageFor } from './message-line';

/** What a channel message says, the same facts as the job card's head: rendered as a card or an e-mail. */
export interface EventContent {
  title: string;
  /** The one line the conversation gets (markdown stripped). */
  line: string;
  facts: { title: string; value: string }[];
  /** Back to the chat where the job lives. */
  link?: string;
}

const plain = (md: string): string => md.replace(/\*\*/g, '');

const KIND_TITLE: Record<NotificationEvent['kind'], string> = {
  job_paused: 'Job paused',
  approval_needed: 'Approval needed',
  job_completed: 'Job completed',
  job_failed: 'Job failed',
  job_cancelled: 'Job cancelled',
  cluster_unsafe: 'Cluster not safe',
  agent_offline: 'Relay agent offline',
  host_unhealthy: 'Server unhealthy',
  window_outcome: 'Maintenance window',
  rpo_breached: 'RPO breached',
  window_reminder: 'Maintenance window reminder',
};

export function eventContent(event: NotificationEvent, job: Job | undefined, link?: string): EventContent {
  const facts: { title: string; value: string }[] = [];
  if (job) {
    facts.push({ title: 'Target', value: `${job.target.kind} ${jobLabel(job)}` });
    facts.push({ title: 'Job', value: job.id });
    facts.push({ title: 'Status', value: `${STATUS_ICON[job.status]} ${job.status}` });
    facts.push({ title: 'Requested by', value: job.createdBy.name ?? job.createdBy.id });
    if (job.pausedReason && job.status === 'paused') facts.push({ title: 'Reason', value: job.pausedReason });
  }
  if (event.kind === 'cluster_unsafe') facts.push({ title: 'Cluster', value: event.clusterId });
  if (event.kind === 'agent_offline') facts.push({ title: 'Agent', value: event.agentId });
  if (event.kind === 'rpo_breached')
    facts.push(
      { title: 'Protection group', value: event.group },
      { title: 'Replica from', value: event.since },
    );
  if (event.kind === 'host_unhealthy') {
    facts.push({ title: 'Host', value: event.hostId });
    if (event.clusterId) facts.push({ title: 'Cluster', value: event.clusterId });
  }
  if (event.kind === 'window_reminder')
    facts.push({ title: 'Window', value: event.windowId }, { title: 'Starts', value: event.start });
  if (event.kind === 'window_outcome') {
    facts.push({ title: 'Window', value: event.windowId }, { title: 'Outcome', value: event.status });
    if (event.hostsLeft.length) facts.push({ title: 'Hosts left', value: event.hostsLeft.join(', ') });
  }
  const title = `${KIND_TITLE[event.kind]}${job ? `: ${jobLabel(job)}` : ''}`;
  return {
    title: clip(title, 200),
    line: clip(plain(messageFor(event, job)), 1000),
    facts: facts.map((f) => ({ title: f.title, value: clip(f.value, 300) })),
    ...(link ? { link } : {}),
  };
}

/** An Adaptive Card (1.4, what Teams channels render) for a Teams Workflows webhook. */
export function eventCard(c: EventContent): Record<string, unknown> {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: c.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: c.line, wrap: true },
      ...(c.facts.length ? [{ type: 'FactSet', facts: c.facts }] : []),
    ],
    ...(c.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in chat', url: c.link }] } : {}),
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The same facts as an e-mail: subject, text and HTML bodies. */
export function eventEmail(c: EventContent): { subject: string; text: string; html: string } {
  const subject = `[RackOps] ${c.title}`.replace(/[\r\n]+/g, ' ');
  const text = [
    c.line,
    '',
    ...c.facts.map((f) => `${f.title}: ${f.value}`),
    ...(c.link ? ['', `Open in chat: ${c.link}`] : []),
  ].join('\n');
  const rows = c.facts
    .map((f) => `<tr><th align="left">${escapeHtml(f.title)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const html = [
    `<p>${escapeHtml(c.line)}</p>`,
    rows ? `<table>${rows}</table>` : '',
    c.link ? `<p><a href="${escapeHtml(c.link)}">Open in chat</a></p>` : '',
  ].join('');
  return { subject, text, html };
}
