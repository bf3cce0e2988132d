import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { LOCAL_DATABASE_URL } from './src/local/defaults';

// The Prisma 6 CLI falls back to downloading its native engines when DATABASE_URL is unset, even
// for `generate`; default it to the local database that `npm start` and the CLI use.
process.env.DATABASE_URL ||= LOCAL_DATABASE_URL;

// The JS engine with the pg driver adapter lets generate / migrate run without Prisma's native
// engines, which cannot be downloaded everywhere this project runs.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});
