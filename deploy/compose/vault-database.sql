-- The vault (crypto-shredding keys, pavilion_core.vault): database `<prefix>_vault`,
-- owned by a role of the same name like a service's (service-database.sql), its tables
-- made by that owner, and what each service's role may do in it: the services that
-- own people's data (exhibitors, outreach, notifications) issue and destroy keys
-- (`<prefix>_vault_writer`); the gateway only reads them (`<prefix>_vault_reader`).
-- No one else may connect. Idempotent. Run as a superuser connected to `postgres`,
-- after the services' databases (their roles must exist):
--   psql -v ON_ERROR_STOP=1 -v prefix=pavilion -v vault_sql=<path of 001_keys.sql> -f vault-database.sql
\set ON_ERROR_STOP on
SELECT :'prefix' || '_vault' AS name \gset
\ir service-database.sql
-- now connected to the vault's database, as the superuser
SELECT format('CREATE ROLE %I NOLOGIN', r) FROM unnest(ARRAY[
         :'prefix' || '_vault_writer', :'prefix' || '_vault_reader']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec

SET ROLE :"name";
\i :vault_sql
RESET ROLE;

SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I', :'name',
              :'prefix' || '_vault_writer', :'prefix' || '_vault_reader') \gexec
SELECT format('GRANT SELECT ON subject_keys, forgotten_subjects, person_subjects TO %I',
              :'prefix' || '_vault_reader') \gexec
SELECT format('GRANT SELECT, INSERT, DELETE ON subject_keys, forgotten_subjects, person_subjects TO %I',
              :'prefix' || '_vault_writer') \gexec
SELECT format('GRANT %I TO %I', :'prefix' || '_vault_writer', :'prefix' || '_' || s)
  FROM unnest(ARRAY['exhibitors', 'outreach', 'notifications']) AS s \gexec
SELECT format('GRANT %I TO %I', :'prefix' || '_vault_reader', :'prefix' || '_gateway') \gexec
