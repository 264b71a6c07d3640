-- Substring search on names (ILIKE '%…%' served by trigram indexes).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX exhibitors_name_search ON exhibitors USING gin (company_name public.gin_trgm_ops);
CREATE INDEX organizations_name_search ON organizations USING gin (name public.gin_trgm_ops);
CREATE INDEX contacts_name_search ON contacts USING gin (name public.gin_trgm_ops);
