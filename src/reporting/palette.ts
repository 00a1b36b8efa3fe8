/**
 * Colours and dash patterns for series: the Okabe–Ito palette (distinguishable
 * with the common colour-vision deficiencies, and no two of its eight alike), and
 * with more than eight series a dash pattern as a second cue. Eight colours
 * against three dashes repeat only after 24 series.
 */
export const OKABE_ITO = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#D55E00', '#0072B2', '#CC79A7', '#F0E442'];
export const DASHES: number[][] = [[1, 0], [6, 3], [2, 2]];

/** A colour and a dash per series name, in order. */
export function seriesStyle(names: readonly string[]): Array<{ name: string; color: string; dash: number[] }> {
  return names.map((name, i) => ({ name, color: OKABE_ITO[i % OKABE_ITO.length]!, dash: names.length > OKABE_ITO.length ? DASHES[i % DASHES.length]! : [1, 0] }));
}

/** vega-lite color + strokeDash encodings over `field` with the series' styles; one legend shows both. */
export function lineStyle(names: readonly string[], field = 'optimizer', title = 'optimizer') {
  const styles = seriesStyle(names);
  // A line segment at full opacity: the dash shows, and a band's transparency does not reach the legend.
  const legend = { labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1, symbolSize: 500, title };
  return {
    color: { field, type: 'nominal' as const, scale: { domain: [...names], range: styles.map((s) => s.color) }, sort: [...names], legend },
    strokeDash: { field, type: 'nominal' as const, scale: { domain: [...names], range: styles.map((s) => s.dash) }, sort: [...names], legend },
  };
}
