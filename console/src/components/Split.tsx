// Two parts of a whole (free and taken booths, foreign and domestic exhibitors) as one
// stacked SVG bar, each part labelled with its number, and its share.
import { useI18n } from "../i18n";

export interface Part {
  label: string;
  value: number;
}

export function Split({ title, parts }: { title: string; parts: [Part, Part] }) {
  const { t, number, percent } = useI18n();
  const total = parts[0].value + parts[1].value;
  const first = total === 0 ? 0.5 : parts[0].value / total;
  const text = (p: Part) =>
    `${p.label} ${number(p.value)}${total ? ` (${percent(p.value / total)})` : ""}`;
  return (
    <figure class="chart split">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={t("chart.summary", { title, items: parts.map(text).join(", ") })}
        viewBox="0 0 520 24"
        width="100%"
      >
        <rect class="part-0" x={0} y={0} height={24} width={520 * first} />
        <rect class="part-1" x={520 * first} y={0} height={24} width={520 * (1 - first)} />
      </svg>
      <ul class="legend">
        {parts.map((p, i) => (
          <li>
            <span class={`swatch part-${i}`} aria-hidden="true" />
            {text(p)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
