// A horizontal bar chart in plain SVG: each bar labelled with its name and number (not
// colour alone), the whole read out by screen readers through role="img" + aria-label.
import { useI18n } from "../i18n";

export interface Bar {
  label: string;
  value: number;
}

const ROW = 26;
const LABEL = 190;
const WIDTH = 520;

export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const { t, number } = useI18n();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const summary = bars.map((b) => `${b.label} ${number(b.value)}`).join(", ") || t("chart.empty");
  const span = WIDTH - LABEL - 60;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p>{t("chart.empty")}</p>
      ) : (
        <svg
          role="img"
          aria-label={t("chart.summary", { title, items: summary })}
          viewBox={`0 0 ${WIDTH} ${bars.length * ROW}`}
          width="100%"
        >
          {bars.map((bar, i) => (
            <g transform={`translate(0 ${i * ROW})`}>
              <text x={LABEL - 8} y={ROW / 2 + 5} text-anchor="end">
                {bar.label}
              </text>
              <rect x={LABEL} y={4} height={ROW - 8} width={(span * bar.value) / max} rx={2} />
              <text x={LABEL + (span * bar.value) / max + 6} y={ROW / 2 + 5}>
                {number(bar.value)}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}
