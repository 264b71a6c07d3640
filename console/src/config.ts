// What the gateway tells the console about itself: /console/config.json.
export interface ConsoleConfig {
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/console/config.json");
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}
