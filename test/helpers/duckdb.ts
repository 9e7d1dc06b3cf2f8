// Reads exported files the way dataset users do: one in-memory DuckDB per query, closed afterwards.
import { DuckDBInstance } from '@duckdb/node-api';

export async function duckQuery(sql: string) {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
