import { appendFileSync } from 'node:fs';

/**
 * Records a figure for docs/reliability.md (`npm run reliability` sets STAGECRAFT_FIGURES to a file);
 * in plain `npm test` runs nothing is written.
 */
export function recordFigure(suite: string, figures: Record<string, number | string>): void {
  const file = process.env.STAGECRAFT_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify({ suite, ...figures })}\n`);
}
