// One hall drawn as an SVG: its booths in code order, in rows, each as wide as its size
// (sqm), coloured by state AND marked so without colour (the state's word, or its mark
// on a narrow booth, and its outline: solid free, dashed offered, thick taken), a strip
// hatched by its supply-chain area. Each booth is a button (click, Enter or Space) named
// for a screen reader; the text drawn on it is for the eye only (aria-hidden).
import { AREAS, type BoothState, type FloorBooth, type Hall } from "./FloorTypes";
import { useI18n } from "../i18n";

const WIDTH = 960;
const HEIGHT = 64; // a booth's
const GAP = 6;
const STRIP = 10; // the area's hatched strip at a booth's foot
const WIDE = 70; // wide enough to write the size's unit and the state's word
/** The state's mark on a booth too narrow for its word (the legend shows both). */
export const MARK: Record<BoothState, string> = { FREE: "○", OFFERED: "◐", TAKEN: "●" };

interface Placed {
  booth: FloorBooth;
  x: number;
  y: number;
  width: number;
}

/** Rows of booths in code order, widths ∝ size; `perSqm` is shared by every hall. */
export function layout(booths: FloorBooth[], perSqm: number): { placed: Placed[]; height: number } {
  const placed: Placed[] = [];
  let x = 0;
  let y = 0;
  for (const booth of booths) {
    const width = Math.min(WIDTH, booth.sizeSqm * perSqm);
    if (x > 0 && x + width > WIDTH) {
      x = 0;
      y += HEIGHT + GAP;
    }
    placed.push({ booth, x, y, width });
    x += width + GAP;
  }
  return { placed, height: booths.length ? y + HEIGHT : 0 };
}

/** Units per sqm: the largest booth of the edition a third of a row at most. */
export function scaleFor(halls: Hall[]): number {
  const largest = Math.max(1, ...halls.flatMap((h) => h.booths.map((b) => b.sizeSqm)));
  return Math.min(12, WIDTH / 3 / largest);
}

export function areaPattern(area: string): string {
  return `url(#floor-area-${Math.max(0, AREAS.indexOf(area as (typeof AREAS)[number]))})`;
}

interface Props {
  hall: Hall;
  perSqm: number;
  selected: string | null; // "hall/code"
  onChoose: (booth: FloorBooth) => void;
}

export function FloorHall({ hall, perSqm, selected, onChoose }: Props) {
  const { t, term, number } = useI18n();
  const { placed, height } = layout(hall.booths, perSqm);
  const state = (b: FloorBooth) => t(`floor.state.${b.state}`);
  const label = (b: FloorBooth) => {
    const values = {
      hall: hall.code,
      code: b.code,
      size: number(b.sizeSqm),
      area: term("area", b.supplyChainArea),
      state: state(b),
    };
    return b.holder
      ? t("floor.booth.labelHolder", { ...values, holder: b.holder.companyName })
      : t("floor.booth.label", values);
  };
  const key = (event: KeyboardEvent, booth: FloorBooth) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onChoose(booth);
    }
  };
  return (
    <figure class="floor-hall">
      <figcaption id={`floor-hall-${hall.code}`}>{t("floor.hall", { hall: hall.code })}</figcaption>
      <svg
        role="group"
        aria-labelledby={`floor-hall-${hall.code}`}
        viewBox={`0 0 ${WIDTH} ${Math.max(height, 1)}`}
        width="100%"
      >
        {placed.map(({ booth, x, y, width }) => (
          <g
            role="button"
            tabindex={0}
            aria-label={label(booth)}
            aria-pressed={selected === `${hall.code}/${booth.code}`}
            data-booth={booth.code}
            data-state={booth.state}
            class={`booth ${booth.state}`}
            transform={`translate(${x} ${y})`}
            onClick={() => onChoose(booth)}
            onKeyDown={(e) => key(e, booth)}
          >
            <title>{label(booth)}</title>
            <rect class="body" width={width} height={HEIGHT} rx={3} />
            <rect
              class="strip"
              y={HEIGHT - STRIP}
              width={width}
              height={STRIP}
              fill={areaPattern(booth.supplyChainArea)}
            />
          </g>
        ))}
        {/* what is written on the booths, for the eye (the buttons' names say it all) */}
        <g aria-hidden="true" class="booth-text">
          {placed.map(({ booth, x, y, width }) => (
            <text x={x + 4} y={y + 14}>
              <tspan class="code">{booth.code.replace(`${hall.code}-`, "")}</tspan>
              <tspan x={x + 4} dy={15}>
                {width >= WIDE ? t("floor.sqm", { size: number(booth.sizeSqm) }) : number(booth.sizeSqm)}
              </tspan>
              <tspan x={x + 4} dy={15}>
                {width >= WIDE ? state(booth) : MARK[booth.state]}
              </tspan>
            </text>
          ))}
        </g>
      </svg>
    </figure>
  );
}

/** The area hatchings, once per page (the halls and the legend refer to them). */
export function AreaPatterns() {
  const marks = [
    <path d="M0 8 L8 0" />,
    <path d="M0 0 L8 8" />,
    <path d="M0 4 L8 4" />,
    <path d="M4 0 L4 8" />,
    <circle cx={4} cy={4} r={1.6} />,
    <path d="M0 8 L8 0 M0 0 L8 8" />,
    <path d="M0 4 L8 4 M4 0 L4 8" />,
  ];
  return (
    <svg class="floor-defs" aria-hidden="true" width={0} height={0}>
      <defs>
        {marks.map((mark, i) => (
          <pattern id={`floor-area-${i}`} width={8} height={8} patternUnits="userSpaceOnUse">
            <rect width={8} height={8} fill="#fff" />
            <g stroke="#222" fill="#222" stroke-width={1.2}>
              {mark}
            </g>
          </pattern>
        ))}
      </defs>
    </svg>
  );
}
