/**
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+);
 * JavaScript strings count UTF-16 code units. Emoji and other astral
 * characters are one of the former and two of the latter.
 */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let units = 0;
  let points = 0;
  while (points < codePoints && units < text.length) {
    const code = text.codePointAt(units)!;
    units += code > 0xffff ? 2 : 1;
    points++;
  }
  return units;
}

export function utf16ToCodePoints(text: string, units: number): number {
  let points = 0;
  for (let i = 0; i < units && i < text.length; points++) {
    const code = text.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
  }
  return points;
}
