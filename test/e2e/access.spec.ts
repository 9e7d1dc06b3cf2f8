import { expect, test } from '@playwright/test';
import { isPublic, needsAdmin } from '../../lib/access';
import { signIn } from './fixtures';
import { findRoutes } from './routes';

const routes = findRoutes().filter((r) => !isPublic(r.pattern));

test('the route list is not empty and includes the known routes', () => {
  const patterns = routes.map((r) => r.pattern);
  expect(patterns).toEqual(expect.arrayContaining(['/', '/users', '/api/users', '/api/dashboard']));
});

test('without a session every API route answers 401 and every page redirects to login', async ({
  request,
  page,
}) => {
  for (const r of routes) {
    if (r.kind === 'api') {
      for (const method of r.methods) {
        const res = await request.fetch(r.url, {
          method,
          data: method === 'GET' ? undefined : {},
          maxRedirects: 0,
        });
        expect(res.status(), `${method} ${r.url} (${r.file})`).toBe(401);
        const body = await res.json();
        expect(body.error.code, `${method} ${r.url}`).toBe('unauthorized');
      }
    } else {
      await page.goto(r.url);
      await expect(page, `${r.url} (${r.file})`).toHaveURL(/\/login/);
    }
  }
});

test('a reviewer gets 403 on every admin route and page', async ({ page }) => {
  await signIn(page, 'reviewer');
  for (const r of routes.filter((x) => needsAdmin(x.pattern))) {
    if (r.kind === 'api') {
      for (const method of r.methods) {
        const res = await page.request.fetch(r.url, { method, data: method === 'GET' ? undefined : {} });
        expect(res.status(), `${method} ${r.url} (${r.file})`).toBe(403);
      }
    } else {
      const res = await page.goto(r.url);
      expect(res?.status(), `${r.url} (${r.file})`).toBe(403);
    }
  }
});
