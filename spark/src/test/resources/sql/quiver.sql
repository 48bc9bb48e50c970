-- Quiver's SQL surface, run statement by statement through a session with QuiverExtensions
-- (SqlFileTest). A query after "-- expect:" lines returns exactly those rows, in order, each
-- row's values joined by " | ".

CREATE OR REPLACE TEMPORARY VIEW sqlfile_items AS
  SELECT * FROM VALUES
    (1L, array(0.0F, 0.0F)), (2L, array(1.0F, 0.0F)), (3L, array(0.0F, 2.0F)), (4L, array(3.0F, 3.0F))
  AS t(id, embedding);

CREATE OR REPLACE TEMPORARY VIEW sqlfile_queries AS
  SELECT * FROM VALUES (10L, array(0.9F, 0.1F)), (20L, array(2.9F, 3.2F)) AS t(qid, q);

-- The exact top 2 by the engine's L2 (squared).
-- expect: 2 | 0.02
-- expect: 1 | 0.82
SELECT id, round(l2_distance(embedding, array(0.9F, 0.1F)), 2) AS d FROM sqlfile_items ORDER BY d LIMIT 2;

-- Doubles, and a null element.
-- expect: 32.0 | null | 1.0
SELECT inner_product(array(1.0D, 2.0D, 3.0D), array(4.0D, 5.0D, 6.0D)),
       cosine_distance(array(1.0F, NULL), array(1.0F, 0.0F)),
       cosine_distance(array(0.0F, 0.0F), array(1.0F, 0.0F));

-- The join condition, planned as the fused join.
-- expect: 10 | 2 | 1
-- expect: 10 | 1 | 2
-- expect: 20 | 4 | 1
-- expect: 20 | 3 | 2
SELECT l.qid, c.id, row_number() OVER (PARTITION BY l.qid ORDER BY l2_distance(l.q, c.embedding)) AS r
FROM sqlfile_queries l JOIN sqlfile_items c ON quiver_knn(l.q, c.embedding, 2, map('refineFactor', '10'))
ORDER BY l.qid, r;

-- The search as a relation, over a view (indexed from a copy: it is not a Parquet scan).
-- expect: 4 | 1
SELECT id, rank FROM quiver_search('sqlfile_items', 'embedding', array(2.9F, 3.2F), 1);

-- The join as a table function, its left side a query.
-- expect: 10 | 2 | 1
-- expect: 20 | 4 | 1
SELECT qid, id, rank
FROM quiver_knn_join(TABLE(SELECT * FROM sqlfile_queries), 'q', 'sqlfile_items', 'embedding', 1)
ORDER BY qid;

-- A view over the join builds nothing until it is read.
CREATE OR REPLACE TEMPORARY VIEW sqlfile_nearest AS
  SELECT l.qid, c.id FROM sqlfile_queries l JOIN sqlfile_items c ON quiver_knn(l.q, c.embedding, 1);

-- expect: 10 | 2
-- expect: 20 | 4
SELECT * FROM sqlfile_nearest ORDER BY qid;
