import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10 text-center">
      <h1 className="text-2xl font-semibold">403 — Admins only</h1>
      <p className="mt-3 text-slate-600">Your account does not have permission to open this page.</p>
      <Link className="mt-6 inline-block text-blue-700 underline" href="/">
        Back to the dashboard
      </Link>
    </main>
  );
}
