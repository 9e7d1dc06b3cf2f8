// Fails when prisma/schema.prisma and the database built by the SQL migrations disagree.
import { readFileSync } from 'node:fs';
import internals from '@prisma/internals';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db.ts';

const database = useTestDatabase();

type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
};
type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
type DmmfIndex = { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; fields: { name: string }[] };

const SCALARS: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  Json: 'jsonb',
  Bytes: 'bytea',
};

function expectedType(f: DmmfField): string {
  if (f.isList) return `${f.kind === 'enum' ? f.type : SCALARS[f.type]}[]`;
  if (f.kind === 'enum') return f.type;
  if (f.type === 'DateTime')
    return f.nativeType?.[0] === 'Timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone';
  return SCALARS[f.type];
}

let models: DmmfModel[] = [];
let indexes: DmmfIndex[] = [];
let enums: { name: string; values: { name: string }[] }[] = [];
let client: pg.Client;

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (m: DmmfModel, fieldName: string) => {
  const f = m.fields.find((x) => x.name === fieldName);
  return f?.dbName ?? fieldName;
};

beforeAll(async () => {
  const dmmf = await internals.getDMMF({ datamodel: readFileSync('prisma/schema.prisma', 'utf8') });
  models = dmmf.datamodel.models as unknown as DmmfModel[];
  indexes = dmmf.datamodel.indexes as unknown as DmmfIndex[];
  enums = dmmf.datamodel.enums as unknown as typeof enums;
  client = new pg.Client({ connectionString: database.url() });
  client.on('error', () => {});
  await client.connect();
});

afterAll(() => client.end());

describe('schema.prisma matches the migrated database', () => {
  it('has exactly the tables of the models', async () => {
    const { rows } = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(models.map(tableOf).sort());
  });

  it('has the same enums and values', async () => {
    const { rows } = await client.query(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    expect(actual).toEqual(Object.fromEntries(enums.map((e) => [e.name, e.values.map((v) => v.name)])));
  });

  it('has every column with the same type and nullability, and no others', async () => {
    // Base tables only: the views (effective_verdicts, latest_overrides) exist only in migrations, for raw SQL.
    const { rows } =
      await client.query(`SELECT table_name, column_name, is_nullable, replace(format_type(a.atttypid, NULL), '"', '') AS type
      FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = ('public.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
      WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'
        AND c.table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')`);
    const actual = rows
      .map((r) => `${r.table_name}.${r.column_name}: ${r.type}${r.is_nullable === 'NO' ? ' not null' : ''}`)
      .sort();
    const expected = models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
          .map((f) => {
            const notNull = f.isRequired && !f.isList ? ' not null' : '';
            return `${tableOf(m)}.${f.dbName ?? f.name}: ${expectedType(f)}${notNull}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has every index, unique constraint and primary key of the schema', async () => {
    const { rows } =
      await client.query(`SELECT t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
        array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
        -- Expression indexes (photos_sample_order_idx) have no schema.prisma form: the migrations own them.
        AND ix.indexprs IS NULL
      GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`);
    const key = (table: string, kind: string, cols: string[]) => `${table} ${kind} (${cols.join(', ')})`;
    const actual = rows
      .map((r) => key(r.table, r.primary ? 'id' : r.unique ? 'unique' : 'normal', r.columns))
      .sort();
    const expected = indexes
      .map((ix) => {
        const m = models.find((x) => x.name === ix.model) as DmmfModel;
        return key(
          tableOf(m),
          ix.type,
          ix.fields.map((f) => columnOf(m, f.name)),
        );
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has a foreign key for every relation', async () => {
    const { rows } =
      await client.query(`SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS ref,
        array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_constraint c JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace GROUP BY c.oid`);
    const actual = rows.map((r) => `${r.table}(${r.columns.join(',')}) -> ${r.ref}`).sort();
    const expected = models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === 'object' && f.relationFromFields?.length)
          .map((f) => {
            const target = models.find((x) => x.name === f.type) as DmmfModel;
            return `${tableOf(m)}(${(f.relationFromFields as string[]).map((n) => columnOf(m, n)).join(',')}) -> ${tableOf(target)}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });
});
