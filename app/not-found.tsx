import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg p-10 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <Link className="mt-6 inline-block text-blue-700 underline" href="/">
        Back to the dashboard
      </Link>
    </main>
  );
}
