// What the floor page reads: the floor plan of an edition (halls → booths, the waitlist).
export type BoothState = "FREE" | "OFFERED" | "TAKEN";

export interface FloorBooth {
  code: string;
  hall: string;
  sizeSqm: number;
  supplyChainArea: string;
  state: BoothState;
  /** null when FREE, and when the viewer may not see the application (an EXHIBITOR's) */
  holder: { id: string; companyName: string } | null;
}

export interface Hall {
  code: string;
  booths: FloorBooth[];
}

export interface WaitlistEntry {
  position: number;
  previousEditions: number;
  boothSizeSqm: number | null;
  exhibitor: { id: string; companyName: string } | null;
}

export const AREAS = [
  "ADVANCED_MANUFACTURING",
  "CLEAN_ENERGY",
  "SMART_VEHICLES",
  "DIGITAL_TECHNOLOGY",
  "HEALTHY_LIVING",
  "GREEN_AGRICULTURE",
  "SUPPLY_CHAIN_SERVICES",
] as const;
