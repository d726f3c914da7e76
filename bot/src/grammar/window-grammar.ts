import { z } from 'zod';
import { def, name, none } from './def';

/** Maintenance windows: list, show, create, edit, approve (four-eyes on production), skip, cancel. */
export const WINDOW_COMMANDS = {
  windows: def({
    usage: 'windows',
    summary: 'maintenance windows of the next 14 days: occurrences, clusters, approval, estimate vs length',
    examples: ['windows'],
    role: 'viewer',
    args: none,
  }),
  windowCreate: def({
    usage: 'window create [TARGETS] [SCHEDULE...]',
    summary: 'create a maintenance window (a rolling firmware update); production needs a second person',
    examples: [
      'window create prod-a every sunday 02:00 Europe/Berlin for 4h',
      'window create prod-a,host:ABC1234 first saturday of the month 01:00 UTC for 6h policy skip_host',
      'window create lab-a on 2026-12-06 02:00 Europe/Berlin for 2h',
      'window create lab-a cron "30 1 * * 6" America/New_York for 3h',
    ],
    role: 'operator',
    args: z.object({
      targets: z.string().min(1).max(400).optional(),
      schedule: z.string().min(1).max(400).optional(),
    }),
    details:
      'Without arguments: a card form with the same fields. TARGETS: clusters, comma-separated; `host:ID` for a single host. SCHEDULE: every DAY[,DAY] HH:MM ZONE for ' +
      'DURATION | first|second|third|fourth|last DAY of the month … | last day of the month … | on YYYY-MM-DD … | ' +
      'cron "M H DOM MON DOW" ZONE for DURATION; then optionally from DATE, until DATE, ' +
      'policy pause|skip_host|power_off_noncritical|fail, continue-on-failure.',
  }),
  windowEdit: def({
    usage: 'window edit ID SCHEDULE...',
    summary: 'change a window series: schedule, length, policy (voids its approval)',
    examples: [
      'window edit W1A2B3C4D every sunday 03:00 Europe/Berlin for 3h policy skip_host',
      'window edit W1A2B3C4D on 2026-12-20 01:00 UTC for 2h',
    ],
    role: 'operator',
    args: z.object({ id: z.string().min(1).max(64), schedule: z.string().min(1).max(400) }),
    details:
      'SCHEDULE as for `window create` (the whole schedule again; targets stay). A bad schedule, or one that ' +
      'overlaps another window on a shared target, is refused and nothing changes. Production series need ' +
      'a second person to approve them again.',
  }),
  windowApprove: def({
    usage: 'window approve ID',
    summary: 'approve a window series (not its creator, for production)',
    examples: ['window approve W1A2B3C4D'],
    role: 'approver',
    args: z.object({ id: name }),
  }),
  windowReject: def({
    usage: 'window reject ID',
    summary: 'reject a window series: none of its occurrences runs',
    examples: ['window reject W1A2B3C4D'],
    role: 'approver',
    args: z.object({ id: name }),
  }),
  windowSkip: def({
    usage: 'window skip ID [WHEN]',
    summary: 'skip the next occurrence of a window, or the one on a date',
    examples: ['window skip W1A2B3C4D', 'window skip W1A2B3C4D 2026-12-13'],
    role: 'operator',
    args: z.object({ id: name, when: z.string().max(20).optional() }),
  }),
  windowCancel: def({
    usage: 'window cancel ID',
    summary: 'cancel a window series',
    examples: ['window cancel W1A2B3C4D'],
    role: 'operator',
    args: z.object({ id: name }),
  }),
  window: def({
    usage: 'window ID',
    summary: 'one window: schedule, targets, approval, coming and past occurrences',
    examples: ['window W1A2B3C4D'],
    role: 'viewer',
    args: z.object({ id: name }),
  }),
};
