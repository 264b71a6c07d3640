// An application as the board and "My applications" list it: a link to its page.
import { useI18n } from "../i18n";
import { BASE, navigate } from "../router";

export interface Card {
  id: string;
  companyName: string;
  country: string;
  status: string;
  supplyChainAreas: string[];
}

export function ExhibitorCard({ card }: { card: Card }) {
  const { term, language } = useI18n();
  const route = `/exhibitors/${encodeURIComponent(card.id)}`;
  const region = new Intl.DisplayNames([language], { type: "region" }).of(card.country);
  return (
    <a
      class="card"
      href={BASE + route}
      onClick={(e) => {
        e.preventDefault();
        navigate(route);
      }}
    >
      <strong>{card.companyName}</strong>
      <span>{region ?? card.country}</span>
      <span class="areas">{card.supplyChainAreas.map((a) => term("area", a)).join(" · ")}</span>
    </a>
  );
}
