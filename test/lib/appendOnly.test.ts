import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { db } from '../../lib/db.ts';
import { useTestDatabase } from '../helpers/db.ts';

const database = useTestDatabase();

describe('history tables are append-only in the database itself', () => {
  it('refuses to update or delete decisions, overrides and spot-check labels', async () => {
    const p = db();
    const u = await p.user.create({ data: { email: 'a@x.io', name: 'A', passwordHash: 'h' } });
    await p.account.create({ data: { nsid: '9@N09' } });
    await p.photo.create({
      data: { id: '9', ownerNsid: '9@N09', secret: 's', server: '1', license: 9, dateUpload: new Date() },
    });
    await p.accountDecision.create({ data: { accountNsid: '9@N09', userId: u.id, decision: 'approve' } });
    await p.override.create({ data: { userId: u.id, photoId: '9', check: 'duplicate', newVerdict: 'pass' } });
    const sc = await p.spotCheck.create({
      data: { name: 's', population: 'all', size: 1, seed: 'x', populationSize: 1 },
    });
    await p.spotCheckLabel.create({
      data: { spotCheckId: sc.id, photoId: '9', userId: u.id, labels: ['fine'] },
    });

    const c = new pg.Client({ connectionString: database.url() });
    await c.connect();
    try {
      for (const sql of [
        `UPDATE account_decisions SET decision = 'reject'`,
        'DELETE FROM account_decisions',
        `UPDATE overrides SET new_verdict = 'fail'`,
        'DELETE FROM overrides',
        `UPDATE spot_check_labels SET labels = '{}'`,
        'DELETE FROM spot_check_labels',
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/append-only/);
      }
      const counts = await c.query(
        `SELECT (SELECT count(*) FROM account_decisions)::int a, (SELECT count(*) FROM overrides)::int o, (SELECT count(*) FROM spot_check_labels)::int l`,
      );
      expect(counts.rows[0]).toEqual({ a: 1, o: 1, l: 1 });
    } finally {
      await c.end();
    }
  });
});
