import { CHECKS, isCheckName } from './checks.ts';

const FIXED: Record<string, string> = {
  license: 'License not allowed',
  not_fetched: 'Not fetched yet',
  unavailable: 'Unavailable (deleted)',
  fetch_error: 'Image could not be fetched',
  account_rejected: 'Account rejected',
  account_watermark: 'Account watermarks its photos',
};

export function reasonLabel(reason: string): string {
  if (reason.startsWith('check:')) {
    const name = reason.slice(6);
    return isCheckName(name) ? `Failed: ${CHECKS[name].label}` : `Failed: ${name}`;
  }
  return FIXED[reason] ?? reason;
}
