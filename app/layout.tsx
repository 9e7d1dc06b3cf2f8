import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';
import { Providers } from '@/components/Providers';

// Every page renders per request: the CSP nonce (proxy.ts) exists only then, and a page built ahead of time
// would carry scripts without it, which the browser refuses.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Quarry',
  description: 'Curate an openly licensed photo dataset from Flickr',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
