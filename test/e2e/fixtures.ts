// Logins the e2e server seeds (test/e2e/server.ts) and helpers the specs share.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export function e2eStateFile(): string {
  return (
    process.env.E2E_STATE_FILE ??
    path.join(os.tmpdir(), `quarry-e2e-state-${process.env.E2E_PORT ?? 3100}.json`)
  );
}

/** The e2e server's database URL and data dir. */
export function e2eState(): { databaseUrl: string; dataDir: string } {
  return JSON.parse(readFileSync(e2eStateFile(), 'utf8'));
}

/**
 * CLIP_MODEL_DIR of the e2e server: empty (no model installed, as the runs spec expects) unless a spec installs one
 * for its own tests and removes it after.
 */
export const e2eClipModelDir = (dataDir: string) => path.join(dataDir, 'models', 'clip');

export const E2E_USERS = {
  admin: { email: 'admin@e2e.test', password: 'Admin-password-1', name: 'E2E Admin' },
  reviewer: { email: 'reviewer@e2e.test', password: 'Reviewer-password-1', name: 'E2E Reviewer' },
  reviewer2: { email: 'reviewer2@e2e.test', password: 'Reviewer2-password-1', name: 'E2E Reviewer Two' },
} as const;

export async function signIn(page: Page, who: keyof typeof E2E_USERS): Promise<void> {
  const u = E2E_USERS[who];
  await page.goto('/login');
  await page.getByLabel('Email').fill(u.email);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}
