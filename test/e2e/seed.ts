// Data the e2e specs need beyond users. Returns extra environment for the app (e.g. the simulator's hosts).
export async function seedE2eData(_opts: { dataDir: string }): Promise<Record<string, string>> {
  return {};
}
