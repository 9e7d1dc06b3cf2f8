// The Flickr simulator and its universe for the runs and export specs.
export async function seedRunsData(_opts: { dataDir: string }): Promise<Record<string, string>> {
  return {};
}
