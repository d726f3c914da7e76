/**
 * Shorten text for a card or a message at a word boundary, with an ellipsis: a line cut mid-word ("JI",
 * "Complet") reads as a glitch. Falls back to a hard cut when the text has no space late enough. Pure.
 */
export function clip(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const room = t.slice(0, Math.max(1, max - 1));
  const space = room.search(/\s\S*$/);
  const cut = space >= max * 0.6 ? room.slice(0, space) : room;
  // No dangling separator or arrow before the ellipsis ("BIOS →…").
  return `${cut.replace(/[\s,;:.(–—→-]+$/, '')}…`;
}
