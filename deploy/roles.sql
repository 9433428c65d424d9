-- One-time production setup, run as a superuser: the two roles and the database.
-- Replace the passwords (or use your platform's secret management), then run the migration job
-- with DATABASE_OWNER_URL and the service with DATABASE_APP_URL.
--   psql -v ON_ERROR_STOP=1 -f deploy/roles.sql

CREATE ROLE chapters_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'change-me-owner';
-- The runtime role: DML only (granted table by table by the migrations), bound by row-level security.
CREATE ROLE chapters_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD 'change-me-app';

CREATE DATABASE chapters OWNER chapters_owner;
\connect chapters
ALTER SCHEMA public OWNER TO chapters_owner;
REVOKE ALL ON DATABASE chapters FROM PUBLIC;
GRANT CONNECT ON DATABASE chapters TO chapters_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO chapters_app;
