-- track schema, version 7: track_sw_attribute(), software attribution as a
-- join (docs/software.md). Nothing is stored: track-report loads the site's
-- rules (config software_map) and Lmod's reverse map (config
-- lmod_reverse_map) into the session temporary tables rp_sw_prefix and
-- rp_sw_exe before a report runs, so a changed map re-attributes the whole
-- history at the next report without touching track_object or track_run.
--
-- The caller fills the temporary table rp_sw_objs(id, path, is_exe) with the
-- objects to attribute (those its runs used); the procedure leaves
-- rp_sw_attr(id, src, package, version, module), one row per object:
--   src      'rule' (a site path rule), 'name' (an executable-name rule, only
--            for is_exe objects), 'lmod' (the reverse map), NULL = unattributed
--   package, version   by precedence: the longest matching rule prefix, else
--            the first matching name rule (its version, else the Lmod
--            version of the path), else the longest Lmod directory; NULL
--            when nothing matched
--   module   the longest Lmod directory's module as LOADEDMODULES names it,
--            whatever the rules say (for the modules report)
-- A prefix matches a path equal to it or below it at a '/' boundary. Paths
-- are compared as bytes. Without the tables (a report run by hand in the
-- mariadb client) they are created empty: every object is unattributed.
--
-- Statements inside the body start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.
DROP PROCEDURE IF EXISTS track_sw_attribute;
CREATE PROCEDURE track_sw_attribute()
BEGIN
  CREATE TEMPORARY TABLE IF NOT EXISTS rp_sw_prefix (
    hk BINARY(16) NULL, prefix VARBINARY(4096) NOT NULL, src TINYINT NOT NULL,
    package VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    module VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    line INT NOT NULL, KEY (hk)) ENGINE=InnoDB
  ; CREATE TEMPORARY TABLE IF NOT EXISTS rp_sw_exe (
    ord INT NOT NULL PRIMARY KEY, pattern VARBINARY(1024) NOT NULL,
    package VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    line INT NOT NULL) ENGINE=InnoDB
  ; DROP TEMPORARY TABLE IF EXISTS rp_sw_dir, rp_sw_dbest, rp_sw_cand, rp_sw_named, rp_sw_attr
  -- the distinct directories of the objects (a library directory holds many)
  ; CREATE TEMPORARY TABLE rp_sw_dir (PRIMARY KEY (hk)) AS
      SELECT UNHEX(MD5(d.dir)) AS hk, d.dir
      FROM (SELECT DISTINCT LEFT(o.path, LENGTH(o.path) - LENGTH(SUBSTRING_INDEX(o.path, '/', -1)) - 1) AS dir
            FROM rp_sw_objs o) d
      WHERE d.dir LIKE '/_%'
  -- each directory and its ancestors, looked up by hash: the best (longest)
  -- prefix of each source per directory
  ; CREATE TEMPORARY TABLE rp_sw_dbest (PRIMARY KEY (hk, src)) AS
      WITH RECURSIVE anc AS (
        SELECT d.hk, d.dir AS a FROM rp_sw_dir d
        UNION ALL
        SELECT anc.hk, LEFT(anc.a, LENGTH(anc.a) - LENGTH(SUBSTRING_INDEX(anc.a, '/', -1)) - 1)
        FROM anc WHERE LENGTH(anc.a) - LENGTH(SUBSTRING_INDEX(anc.a, '/', -1)) - 1 > 0
      ),
      m AS (
        SELECT anc.hk, p.src, p.package, p.version, p.module, LENGTH(p.prefix) AS plen,
               ROW_NUMBER() OVER (PARTITION BY anc.hk, p.src
                                  ORDER BY LENGTH(p.prefix) DESC, p.package, p.version) AS rn
        FROM anc JOIN rp_sw_prefix p ON p.hk = UNHEX(MD5(anc.a)) AND p.prefix = anc.a
      )
      SELECT hk, src, package, version, module, plen FROM m WHERE rn = 1
  -- per object and source the best candidate: its directory's, or a prefix
  -- naming the file itself (longer than any directory)
  ; CREATE TEMPORARY TABLE rp_sw_cand (PRIMARY KEY (id, src)) AS
      WITH c AS (
        SELECT o.id, b.src, b.package, b.version, b.module, b.plen
        FROM rp_sw_objs o
        JOIN rp_sw_dbest b
          ON b.hk = UNHEX(MD5(LEFT(o.path, LENGTH(o.path) - LENGTH(SUBSTRING_INDEX(o.path, '/', -1)) - 1)))
        UNION ALL
        SELECT o.id, p.src, p.package, p.version, p.module, LENGTH(p.prefix)
        FROM rp_sw_objs o JOIN rp_sw_prefix p ON p.hk = UNHEX(MD5(o.path)) AND p.prefix = o.path
      ),
      r AS (
        SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.id, c.src
                                       ORDER BY c.plen DESC, c.package, c.version) AS rn
        FROM c
      )
      SELECT id, src, package, version, module FROM r WHERE rn = 1
  -- executables: the first name rule (file order) matching the file name
  ; CREATE TEMPORARY TABLE rp_sw_named (PRIMARY KEY (id)) AS
      SELECT x.id, x.package, x.version FROM (
        SELECT o.id, e.package, e.version, ROW_NUMBER() OVER (PARTITION BY o.id ORDER BY e.ord) AS rn
        FROM rp_sw_objs o JOIN rp_sw_exe e
          ON SUBSTRING_INDEX(o.path, '/', -1) LIKE e.pattern ESCAPE '|'
        WHERE o.is_exe = 1) x
      WHERE x.rn = 1
  ; CREATE TEMPORARY TABLE rp_sw_attr (PRIMARY KEY (id)) AS
      SELECT o.id,
             CASE WHEN r.id IS NOT NULL THEN 'rule' WHEN n.id IS NOT NULL THEN 'name'
                  WHEN l.id IS NOT NULL THEN 'lmod' END AS src,
             COALESCE(r.package, n.package, l.package) AS package,
             CASE WHEN r.id IS NOT NULL THEN r.version
                  WHEN n.id IS NOT NULL THEN COALESCE(n.version, l.version)
                  ELSE l.version END AS version,
             l.module
      FROM rp_sw_objs o
      LEFT JOIN rp_sw_cand r ON r.id = o.id AND r.src = 2
      LEFT JOIN rp_sw_named n ON n.id = o.id
      LEFT JOIN rp_sw_cand l ON l.id = o.id AND l.src = 1
  ; DROP TEMPORARY TABLE IF EXISTS rp_sw_dir, rp_sw_dbest, rp_sw_cand, rp_sw_named
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (7);
