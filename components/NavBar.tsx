import Link from 'next/link';
import { logoutAction } from '@/app/login/actions';
import type { SessionUser } from '@/lib/auth/guard';
import { NavLinks } from './NavLinks';

export function NavBar({ user }: { user: SessionUser }) {
  const links = [
    { href: '/', label: 'Dashboard' },
    { href: '/accounts', label: 'Accounts' },
    { href: '/checks', label: 'Checks' },
    { href: '/spot-checks', label: 'Spot checks' },
    ...(user.role === 'admin'
      ? [
          { href: '/quality', label: 'Quality' },
          { href: '/runs', label: 'Runs' },
          { href: '/export', label: 'Export' },
          { href: '/users', label: 'Users' },
        ]
      : []),
  ];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2">
        <Link href="/" className="text-lg font-semibold tracking-tight">
          Quarry
        </Link>
        <nav aria-label="Main" className="flex-1">
          <NavLinks links={links} />
        </nav>
        <div className="flex items-center gap-3 text-sm">
          <span className="text-slate-600">
            <bdi>{user.name}</bdi>{' '}
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{user.role}</span>
          </span>
          <form action={logoutAction}>
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </header>
  );
}
