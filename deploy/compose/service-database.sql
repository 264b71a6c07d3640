-- One service's database and the login role that owns it, of the same name: no
-- superuser, no CREATEDB or CREATEROLE, and CONNECT to this database only (PUBLIC's is
-- revoked), so one service's role cannot even open another's database. As the owner it
-- runs its own migrations: tables in `public` (owned by pg_database_owner since
-- PostgreSQL 15), the gateway's `read_model_<n>` schemas and the trusted pg_trgm.
--
-- Idempotent, and an upgrade too: a database made before the roles, and every schema,
-- table, sequence, view, type and function a superuser made in it, pass to the role.
-- Run as a superuser connected to the `postgres` database:
--   psql -v ON_ERROR_STOP=1 -v name=pavilion_exhibitors [-v password=…] -f service-database.sql
-- by deploy/postgres.sh (make run: local trust, no password) and by
-- deploy/compose/postgres-init.sh (compose: the password from .env).
\set ON_ERROR_STOP on

-- Two setups at once (make run beside the test suite) must not both create a role.
SELECT pg_advisory_lock(hashtext('pavilion.service-databases')) AS locked \gset

SELECT format('CREATE ROLE %I LOGIN', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- A session that stalls inside a transaction would hold the relay's fence (and locks)
-- for as long as it lives: PostgreSQL ends it after a minute idle.
ALTER ROLE :"name" SET idle_in_transaction_session_timeout = '60s';
\if :{?password}
ALTER ROLE :"name" PASSWORD :'password';
\endif

SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
ALTER DATABASE :"name" OWNER TO :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"name" TO :"name";

-- In the database itself (the lock goes with the previous connection): what someone
-- else owns passes to the role. Extensions' members stay with the extension; sequences
-- of identity and serial columns follow their table.
\connect :"name"

SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, :'name')
  FROM pg_namespace n
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND n.nspowner <> :'name'::regrole
   AND pg_get_userbyid(n.nspowner) <> 'pg_database_owner'
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                      AND d.deptype = 'e') \gexec

SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                             WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
              n.nspname, c.relname, :'name')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND c.relowner <> :'name'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i')))) \gexec

SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, :'name')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd', 'r', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND t.typowner <> :'name'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                      AND d.deptype = 'e') \gexec

SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'name')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND p.proowner <> :'name'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                      AND d.deptype = 'e') \gexec
