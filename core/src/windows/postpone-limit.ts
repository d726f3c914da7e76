/**
 * Most hours a reminder card may postpone an occurrence by, in all. A module of its own so the reminder card
 * reads it without loading the recurrence rules (and luxon) into every bundle that can send a card.
 */
export const MAX_POSTPONE_HOURS = 12;
