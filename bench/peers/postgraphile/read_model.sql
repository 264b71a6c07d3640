-- Applied by the benchmark (bench/peers/postgraphile.py) to its scratch read model, in
-- the schema of the current generation, before PostGraphile starts: the one relation
-- the page needs that the tables do not declare as a foreign key.
COMMENT ON TABLE exhibitors IS E'@foreignKey (source_interest_id) references interests (id)';
