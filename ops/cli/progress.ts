// Progress of a long read (a rebuild, an export) on stderr, so stdout keeps only the results: a bar
// redrawn in place on a terminal, a line per 10% in a log (where \r would pile up).
export interface ProgressPrinter {
  (done: bigint, total: bigint): void;
  /** Ends the bar's line on a terminal; call once the work is done. */
  finish(): void;
}

export function progressPrinter(
  unit = 'records',
  stream: NodeJS.WriteStream = process.stderr,
): ProgressPrinter {
  let lastDecile = -1;
  let lastBar = '';
  const print = (done: bigint, total: bigint) => {
    const fraction = total === 0n ? 1 : Number(done) / Number(total);
    if (stream.isTTY) {
      const width = 40;
      const filled = Math.round(fraction * width);
      const bar = `\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${done}/${total}`;
      // Redraw only when the text changes: a read reports per batch, far more often than needed.
      if (bar !== lastBar) stream.write(bar);
      lastBar = bar;
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10);
      stream.write(`  ${(fraction * 100).toFixed(0)}% (${done}/${total} ${unit})\n`);
    }
  };
  return Object.assign(print, {
    finish: () => {
      if (stream.isTTY && lastBar !== '') stream.write('\n');
    },
  });
}
