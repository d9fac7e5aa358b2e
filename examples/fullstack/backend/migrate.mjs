// `dev.services.migrate` (a oneshot): creates the table the backend uses, then exits 0.
import { query } from './pg.mjs';

await query(process.env.DATABASE_URL, 'create table if not exists visits (id serial primary key, at timestamptz default now())');
console.log('migrated: table visits');
