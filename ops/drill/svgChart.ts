// A line chart as a standalone SVG (no dependency, readable in any browser or markdown viewer): the
// soak report's plots of memory, lag and latency over time.
export interface Series {
  name: string;
  /** [x, y] in data units, x ascending. */
  points: ReadonlyArray<readonly [number, number]>;
}

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
  '#8c6d31',
  '#843c39',
];
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tick = (value: number) =>
  Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3).replace(/\.?0+$/, '');

export function lineChartSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
): string {
  const [width, height, left, right, top, bottom] = [900, 360, 70, 220, 36, 44];
  const all = series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys, 1) * 1.05];
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (width - left - right);
  const py = (y: number) => height - bottom - ((y - y0) / (y1 - y0 || 1)) * (height - top - bottom);
  const grid = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4).map(
    (y) =>
      `<line x1="${left}" x2="${width - right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/><text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${tick(y)}</text>`,
  );
  const xTicks = Array.from({ length: 5 }, (_, i) => x0 + ((x1 - x0) * i) / 4).map(
    (x) => `<text x="${px(x)}" y="${height - bottom + 16}" text-anchor="middle">${tick(x)}</text>`,
  );
  const lines = series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const path = s.points
      .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join('');
    const legendY = top + 14 * i;
    return `<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/><rect x="${width - right + 12}" y="${legendY}" width="10" height="10" fill="${colour}"/><text x="${width - right + 28}" y="${legendY + 9}">${escape(s.name)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...grid,
    ...xTicks,
    `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
    ...lines,
    '</svg>',
  ].join('\n');
}
