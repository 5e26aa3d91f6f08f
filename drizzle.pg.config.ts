import { defineConfig } from 'drizzle-kit';

/** The Postgres store's migrations (db/postgres.ts applies them); `npm run db:generate` writes both. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema-pg.ts',
  out: './db/migrations-pg',
});
