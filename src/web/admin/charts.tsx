/** Server-rendered SVG bar charts: no script, no client framework, readable without colour. */

/** One series of a chart: a name, a fill colour and one value per day. */
export interface Series {
  name: string;
  color: string;
  values: number[];
}

const W = 640;
const H = 200;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/** A "nice" axis maximum ≥ max (1, 2, 5 × 10^n). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * A stacked bar chart of daily values. Each bar carries a <title> (hover text) and the figure
 * has a text alternative plus a data table, so it reads without sight or colour.
 */
export function BarChart(props: { id: string; title: string; days: string[]; series: Series[] }) {
  const { days, series } = props;
  const totals = days.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const sum = series.map((s) => `${s.values.reduce((a, b) => a + b, 0)} ${s.name}`).join(', ');
  const desc = `${props.title}: ${sum} over ${days.length} days (${days[0]} to ${days.at(-1)}).`;
  return (
    <figure class="chart">
      <figcaption id={`${props.id}-title`}>
        <strong>{props.title}</strong>{' '}
        {series.map((s) => (
          <span class="legend">
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={s.color} />
            </svg>{' '}
            {s.name}
          </span>
        ))}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
        data-chart={props.id}
      >
        <title>{props.title}</title>
        <desc id={`${props.id}-desc`}>{desc}</desc>
        {[0, max / 2, max].map((v) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#8c959f" stroke-width="0.5" />
            <text x={PAD.left - 4} y={y(v) + 4} text-anchor="end" font-size="11" fill="currentColor">
              {Number.isInteger(v) ? v : v.toFixed(1)}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          let base = 0;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                if (v === 0) return null;
                const top = y(base + v);
                const rect = (
                  <rect
                    x={x.toFixed(1)}
                    y={top.toFixed(1)}
                    width={barW.toFixed(1)}
                    height={(y(base) - top).toFixed(1)}
                    fill={s.color}
                  >
                    <title>{`${day}: ${v} ${s.name}`}</title>
                  </rect>
                );
                base += v;
                return rect;
              })}
            </g>
          );
        })}
        {days.length > 0 && (
          <>
            <text x={PAD.left} y={H - 8} font-size="11" fill="currentColor">
              {days[0]}
            </text>
            <text x={W - PAD.right} y={H - 8} font-size="11" text-anchor="end" fill="currentColor">
              {days.at(-1)}
            </text>
          </>
        )}
      </svg>
      <details>
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((s) => (
                <th scope="col">{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day, i) => (
              <tr>
                <td>{day}</td>
                {series.map((s) => (
                  <td>{s.values[i] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
