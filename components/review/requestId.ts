/** A random id for idempotent requests; crypto.randomUUID is missing on plain-http LAN addresses (tablets), getRandomValues is not. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
