extension CentralSchema {
    /// Migration 2: the projections the fleet queries read, as the local
    /// log has them (docs/FORMAT.md): each host log's environments, one
    /// summary per event and one row per package changed. The database
    /// computes them from the bodies it has just verified (a statement
    /// trigger on `event`), so what a host sends is only ever chain rows:
    /// it cannot make the projections say anything its bodies do not. A
    /// body that is not a pkgtrail event, or whose own `seq`/`prev_hash`
    /// are not its row's, fails the whole push; nothing is stored.
    ///
    /// A version's window is not stored, as in the local log: it runs to
    /// the next change of that package in that environment of that log
    /// (the `change_env` index), so an append never rewrites a row.
    static let projections: [String] = [
        """
        CREATE TABLE pkgtrail.environment (
            log_id  bigint NOT NULL REFERENCES pkgtrail.host_log,
            env_id  bigint GENERATED ALWAYS AS IDENTITY,
            host    text NOT NULL,
            prefix  text NOT NULL,
            PRIMARY KEY (log_id, env_id),
            UNIQUE (log_id, host, prefix)
        )
        """,
        """
        CREATE INDEX environment_host_prefix ON pkgtrail.environment (host, prefix)
        """,
        """
        CREATE INDEX environment_prefix ON pkgtrail.environment (prefix)
        """,
        """
        CREATE TABLE pkgtrail.event_summary (
            log_id      bigint NOT NULL,
            seq         bigint NOT NULL,
            env_id      bigint NOT NULL,
            kind        text NOT NULL,
            started     text NOT NULL,
            finished    text NOT NULL,
            username    text NOT NULL,
            tool        text,
            PRIMARY KEY (log_id, seq),
            FOREIGN KEY (log_id, seq) REFERENCES pkgtrail.event,
            FOREIGN KEY (log_id, env_id) REFERENCES pkgtrail.environment
        )
        """,
        """
        CREATE INDEX event_summary_env ON pkgtrail.event_summary (log_id, env_id, seq)
        """,
        """
        CREATE INDEX event_summary_started ON pkgtrail.event_summary (started, log_id, seq)
        """,
        """
        CREATE TABLE pkgtrail.change (
            log_id          bigint NOT NULL,
            seq             bigint NOT NULL,
            idx             integer NOT NULL,
            env_id          bigint NOT NULL,
            name            text NOT NULL,
            action          text NOT NULL,
            from_version    text,
            to_version      text,
            sha256          text,
            PRIMARY KEY (log_id, seq, idx),
            FOREIGN KEY (log_id, seq) REFERENCES pkgtrail.event_summary
        )
        """,
        """
        CREATE INDEX change_to ON pkgtrail.change (name, to_version)
        """,
        """
        CREATE INDEX change_from ON pkgtrail.change (name, from_version)
        """,
        """
        CREATE INDEX change_env ON pkgtrail.change (log_id, env_id, name, seq)
        """,
        """
        CREATE FUNCTION pkgtrail.unreadable_body(p_log bigint, p_seq bigint) RETURNS bigint
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'pkgtrail: event % of log % names another seq or prev_hash than its row', p_seq, p_log;
        END $$
        """,
        """
        -- Projects the events of log p_log after seq p_after.
        CREATE FUNCTION pkgtrail.project(p_log bigint, p_after bigint) RETURNS void
        LANGUAGE plpgsql SET search_path = pkgtrail, pg_temp AS $$
        BEGIN
            WITH j AS MATERIALIZED (
                SELECT e.log_id, e.seq, e.prev_hash, convert_from(e.body, 'UTF8')::jsonb AS b
                FROM pkgtrail.event e WHERE e.log_id = p_log AND e.seq > p_after),
            added AS (
                INSERT INTO pkgtrail.environment (log_id, host, prefix)
                SELECT DISTINCT log_id, b->'actor'->>'host', b->'environment'->>'prefix' FROM j
                ON CONFLICT DO NOTHING
                RETURNING log_id, env_id, host, prefix),
            envs AS (
                SELECT * FROM added
                UNION ALL
                SELECT v.log_id, v.env_id, v.host, v.prefix FROM pkgtrail.environment v WHERE v.log_id = p_log),
            summary AS (
                INSERT INTO pkgtrail.event_summary (log_id, seq, env_id, kind, started, finished, username, tool)
                SELECT j.log_id,
                       CASE WHEN (j.b->>'seq')::bigint = j.seq AND j.b->>'prev_hash' = encode(j.prev_hash, 'hex')
                            THEN j.seq ELSE pkgtrail.unreadable_body(j.log_id, j.seq) END,
                       v.env_id, j.b->>'kind', j.b->>'started', j.b->>'finished', j.b->'actor'->>'user',
                       j.b->'command'->>'tool'
                FROM j JOIN envs v ON v.log_id = j.log_id AND v.host = j.b->'actor'->>'host'
                                  AND v.prefix = j.b->'environment'->>'prefix'
                RETURNING log_id, seq, env_id)
            INSERT INTO pkgtrail.change
                (log_id, seq, idx, env_id, name, action, from_version, to_version, sha256)
            SELECT s.log_id, s.seq, c.i - 1, s.env_id, c.v->>'name', c.v->>'action', c.v->>'from_version',
                   c.v->>'to_version', c.v->'artifact'->>'sha256'
            FROM summary s JOIN j ON j.log_id = s.log_id AND j.seq = s.seq,
                 jsonb_array_elements(j.b->'changes') WITH ORDINALITY AS c(v, i);
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'pkgtrail: a pushed body is not a pkgtrail event (%): nothing was stored', SQLERRM;
        END $$
        """,
        """
        CREATE FUNCTION pkgtrail.project_events() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pkgtrail, pg_temp AS $$
        BEGIN
            PERFORM pkgtrail.project(log_id, min(seq) - 1) FROM new_rows GROUP BY log_id;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER event_projections AFTER INSERT ON pkgtrail.event
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.project_events()
        """,
        """
        CREATE TRIGGER environment_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pkgtrail.environment
            FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.refuse_change()
        """,
        """
        CREATE TRIGGER event_summary_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pkgtrail.event_summary
            FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.refuse_change()
        """,
        """
        CREATE TRIGGER change_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pkgtrail.change
            FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.refuse_change()
        """,
        """
        -- What was pushed before this migration: projected once, as a push would have.
        SELECT pkgtrail.project(log_id, 0) FROM pkgtrail.host_log
        """,
        """
        REVOKE ALL ON pkgtrail.environment, pkgtrail.event_summary, pkgtrail.change FROM PUBLIC
        """,
        """
        REVOKE ALL ON FUNCTION pkgtrail.unreadable_body(bigint, bigint), pkgtrail.project(bigint, bigint),
            pkgtrail.project_events() FROM PUBLIC
        """,
        """
        GRANT SELECT ON pkgtrail.environment, pkgtrail.event_summary, pkgtrail.change TO pkgtrail_reader
        """
    ]
}
