// Accounts, photos and check results for the review specs.
export async function seedReviewData(_opts: { dataDir: string }): Promise<Record<string, string>> {
  return {};
}
