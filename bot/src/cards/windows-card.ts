import type { AdaptiveCard } from '@microsoft/teams-ai';
import { card, heading, tableRow, text } from './elements';

/** One upcoming occurrence, in words. */
export interface WindowsCardRow {
  /** Local start and zone (`2026-12-06 02:00 Europe/Berlin`). */
  when: string;
  windowId: string;
  targets: string;
  status: string;
  approval: string;
  /** Estimated duration against the window's length (`3 h 30 min of 4 h`). */
  fit: string;
  fits: boolean;
}

/** Rows past this are counted, not drawn: a card stays well under Teams' 28 KB. */
export const MAX_WINDOW_ROWS = 60;

/** `windows`: the next 14 days of occurrences as one card, a row each, in start order. */
export function windowsCard(rows: readonly WindowsCardRow[], days: number): AdaptiveCard {
  const shown = rows.slice(0, MAX_WINDOW_ROWS);
  const header = tableRow(
    [
      { text: 'When', width: 3, extra: { weight: 'Bolder' } },
      { text: 'Window', width: 2, extra: { weight: 'Bolder' } },
      { text: 'Targets', width: 2, extra: { weight: 'Bolder' } },
      { text: 'Status', width: 3, extra: { weight: 'Bolder' } },
      { text: 'Estimate vs length', width: 3, extra: { weight: 'Bolder' } },
    ],
    { separator: true },
  );
  const body = shown.map((r) =>
    tableRow([
      { text: r.when, width: 3, extra: { wrap: true } },
      { text: r.windowId, width: 2, extra: { fontType: 'Monospace' } },
      { text: r.targets, width: 2, extra: { wrap: true } },
      { text: `${r.status} · ${r.approval}`, width: 3, extra: { wrap: true } },
      {
        text: `${r.fits ? '' : '⚠️ '}${r.fit}${r.fits ? '' : ' (does not fit)'}`,
        width: 3,
        extra: { wrap: true, ...(r.fits ? {} : { color: 'Warning' }) },
      },
    ]),
  );
  return card([
    heading(`🗓️ Maintenance windows, next ${days} days`),
    header,
    ...body,
    ...(rows.length > shown.length ? [text(`…and ${rows.length - shown.length} more occurrence(s)`)] : []),
  ]);
}
