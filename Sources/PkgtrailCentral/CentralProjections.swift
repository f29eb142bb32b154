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
    /// No foreign keys between these tables, and no key on `change` beyond
    /// its indexes: only the database writes them, once per verified row,
    /// and checking each reference cost a fifth of the ingest time. `who`
    /// finds a package's rows by the name prefix of `change_to`.
    ///
    /// A version's window is not stored, as in the local log: it runs to
    /// the next change of that package in that environment of that log
    /// (the `change_env` index), so an append never rewrites a row.
    static let projections: [String] = [
        """
        -- Bodies of two or three KB are compressed on insert: lz4 costs a fraction
        -- of pglz's time (where the server was built with it; else pglz stays).
        DO $$ BEGIN
            ALTER TABLE pkgtrail.event ALTER COLUMN body SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
            RAISE NOTICE 'this server has no lz4: event bodies stay compressed with pglz';
        END $$
        """,
        """
        CREATE TABLE pkgtrail.environment (
            log_id  bigint NOT NULL,
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
            PRIMARY KEY (log_id, seq)
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
            sha256          text
        )
        """,
        """
        CREATE INDEX change_to ON pkgtrail.change (name, to_version)
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
        -- Projects the rows one INSERT added (a push's batch). Reading them from
        -- the transition table, not the event table, gives the planner their
        -- true count: a guess of one row chose a nested loop over the host's
        -- environments per event, which grows with their product.
        CREATE FUNCTION pkgtrail.project_events() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pkgtrail, pg_temp AS $$
        BEGIN
            -- Each body parsed once, into the fields the tables keep.
            WITH j AS MATERIALIZED (
                SELECT n.log_id, n.seq, n.prev_hash, b.seq AS body_seq, b.prev_hash AS body_prev, b.kind, b.started,
                       b.finished, b.actor->>'user' AS username, b.actor->>'host' AS host, b.command->>'tool' AS tool,
                       b.environment->>'prefix' AS prefix, b.changes
                FROM new_rows n, jsonb_to_record(convert_from(n.body, 'UTF8')::jsonb) AS b(
                    seq bigint, prev_hash text, kind text, started text, finished text, actor jsonb, command jsonb,
                    environment jsonb, changes jsonb)),
            added AS (
                INSERT INTO pkgtrail.environment (log_id, host, prefix)
                SELECT DISTINCT log_id, host, prefix FROM j
                ON CONFLICT DO NOTHING
                RETURNING log_id, env_id, host, prefix),
            envs AS (
                SELECT * FROM added
                UNION ALL
                SELECT v.log_id, v.env_id, v.host, v.prefix FROM pkgtrail.environment v
                WHERE v.log_id IN (SELECT DISTINCT log_id FROM new_rows)),
            placed AS MATERIALIZED (
                SELECT j.*, v.env_id FROM j
                JOIN envs v ON v.log_id = j.log_id AND v.host = j.host AND v.prefix = j.prefix),
            summary AS (
                INSERT INTO pkgtrail.event_summary (log_id, seq, env_id, kind, started, finished, username, tool)
                SELECT p.log_id,
                       CASE WHEN p.body_seq = p.seq AND p.body_prev = encode(p.prev_hash, 'hex')
                            THEN p.seq ELSE pkgtrail.unreadable_body(p.log_id, p.seq) END,
                       p.env_id, p.kind, p.started, p.finished, p.username, p.tool
                FROM placed p)
            INSERT INTO pkgtrail.change
                (log_id, seq, idx, env_id, name, action, from_version, to_version, sha256)
            SELECT p.log_id, p.seq, c.i - 1, p.env_id, c.name, c.action, c.from_version, c.to_version,
                   c.artifact->>'sha256'
            FROM placed p, ROWS FROM (jsonb_to_recordset(p.changes) AS (
                name text, action text, from_version text, to_version text, artifact jsonb)) WITH ORDINALITY
                AS c(name, action, from_version, to_version, artifact, i);
            RETURN NULL;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'pkgtrail: a pushed body is not a pkgtrail event (%): nothing was stored', SQLERRM;
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
        -- What was pushed before this migration: projected once, as a push would
        -- have been, by the same trigger on a copy (one INSERT of every row).
        CREATE TEMP TABLE earlier_events ON COMMIT DROP AS SELECT * FROM pkgtrail.event WITH NO DATA
        """,
        """
        CREATE TRIGGER earlier_projections AFTER INSERT ON earlier_events
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.project_events()
        """,
        """
        INSERT INTO earlier_events SELECT * FROM pkgtrail.event
        """,
        """
        -- The same checks as migration 1's push, made on the whole batch at once
        -- (a row-by-row loop was a third of the ingest time): rows already
        -- stored must be the stored ones; each new row must follow the one
        -- before it (the stored head for the first), link to its hash, and hash
        -- to sha256(0x00 || prev_hash || body). The first failing row, in the
        -- batch's order, is the one refused and alerted, as before.
        CREATE OR REPLACE FUNCTION pkgtrail.push(
            p_host text, p_verifier text, p_checkpoint text,
            p_seq bigint[], p_prev bytea[], p_hash bytea[], p_body bytea[])
        RETURNS TABLE (accepted boolean, head_seq bigint, head_hash bytea, reason text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pkgtrail, pg_temp AS $$
        DECLARE
            log pkgtrail.host_log%ROWTYPE;
            n int := coalesce(array_length(p_seq, 1), 0);
            bad record;
            new_seq bigint;
            new_hash bytea;
        BEGIN
            IF n <> coalesce(array_length(p_prev, 1), 0) OR n <> coalesce(array_length(p_hash, 1), 0)
                OR n <> coalesce(array_length(p_body, 1), 0) THEN
                RAISE EXCEPTION 'pkgtrail: a push''s columns differ in length';
            END IF;
            INSERT INTO pkgtrail.host_log (host, db_role, verifier) VALUES (p_host, session_user, p_verifier)
                ON CONFLICT (host) DO NOTHING;
            SELECT * INTO log FROM pkgtrail.host_log WHERE host = p_host FOR UPDATE;
            IF log.db_role <> session_user THEN
                reason := 'pushed by database role ' || session_user || ', but ' || p_host || ' is bound to '
                    || log.db_role;
                INSERT INTO pkgtrail.alert (host, log_id, db_role, kind, stored_seq, stored_hash, detail)
                    VALUES (p_host, log.log_id, session_user, 'wrong-role', log.head_seq, log.head_hash, reason);
                RETURN QUERY SELECT false, NULL::bigint, NULL::bytea, reason;
                RETURN;
            END IF;
            IF log.verifier <> p_verifier THEN
                reason := 'pushed with another checkpoint key than the one ' || p_host || ' is bound to';
                INSERT INTO pkgtrail.alert (host, log_id, db_role, kind, stored_seq, stored_hash, detail)
                    VALUES (p_host, log.log_id, session_user, 'wrong-key', log.head_seq, log.head_hash, reason);
                RETURN QUERY SELECT false, log.head_seq, log.head_hash, reason;
                RETURN;
            END IF;
            WITH t AS MATERIALIZED (
                SELECT u.s, u.p, u.h, u.b, u.i
                FROM unnest(p_seq, p_prev, p_hash, p_body) WITH ORDINALITY AS u(s, p, h, b, i)),
            fresh AS (
                SELECT t.*, lag(t.s) OVER w AS ps, lag(t.h) OVER w AS ph FROM t WHERE t.s > log.head_seq
                WINDOW w AS (ORDER BY t.i)),
            verdict AS (
                SELECT t.i, t.s, t.h, 'seq ' || t.s || ' differs from the stored history: rewritten or forked' AS why
                FROM t LEFT JOIN pkgtrail.event e ON e.log_id = log.log_id AND e.seq = t.s
                WHERE t.s <= log.head_seq AND e.hash IS DISTINCT FROM t.h
                UNION ALL
                SELECT f.i, f.s, f.h,
                       CASE WHEN f.s <> coalesce(f.ps, log.head_seq) + 1
                            THEN 'seq ' || f.s || ' does not follow the stored head ' || coalesce(f.ps, log.head_seq)
                            WHEN f.p <> coalesce(f.ph, log.head_hash)
                            THEN 'seq ' || f.s || ' does not extend the stored head: rewritten, forked or reset'
                            WHEN sha256('\\x00'::bytea || f.p || f.b) <> f.h
                            THEN 'seq ' || f.s || ': its hash is not sha256(0x00 || prev_hash || body)' END
                FROM fresh f)
            SELECT v.i, v.s, v.h, v.why INTO bad FROM verdict v WHERE v.why IS NOT NULL ORDER BY v.i LIMIT 1;
            IF bad.why IS NOT NULL THEN
                INSERT INTO pkgtrail.alert
                    (host, log_id, db_role, kind, stored_seq, stored_hash, pushed_seq, pushed_hash, detail)
                    VALUES (p_host, log.log_id, session_user, 'refused', log.head_seq, log.head_hash,
                            bad.s, bad.h, bad.why);
                RETURN QUERY SELECT false, log.head_seq, log.head_hash, bad.why;
                RETURN;
            END IF;
            SELECT u.s, u.h INTO new_seq, new_hash FROM unnest(p_seq, p_hash) WITH ORDINALITY AS u(s, h, i)
                WHERE u.s > log.head_seq ORDER BY u.i DESC LIMIT 1;
            IF new_seq IS NULL THEN
                -- Nothing new: the host is there, and says so (silence is no contact at all).
                UPDATE pkgtrail.host_log SET last_push = now() WHERE log_id = log.log_id;
                RETURN QUERY SELECT true, log.head_seq, log.head_hash, NULL::text;
                RETURN;
            END IF;
            INSERT INTO pkgtrail.event (log_id, seq, prev_hash, hash, body)
                SELECT log.log_id, u.s, u.p, u.h, u.b FROM unnest(p_seq, p_prev, p_hash, p_body) AS u(s, p, h, b)
                WHERE u.s > log.head_seq;
            UPDATE pkgtrail.host_log SET head_seq = new_seq, head_hash = new_hash,
                checkpoint = coalesce(p_checkpoint, checkpoint), last_push = now()
                WHERE log_id = log.log_id;
            RETURN QUERY SELECT true, new_seq, new_hash, NULL::text;
        END $$
        """,
        """
        REVOKE ALL ON pkgtrail.environment, pkgtrail.event_summary, pkgtrail.change FROM PUBLIC
        """,
        """
        REVOKE ALL ON FUNCTION pkgtrail.unreadable_body(bigint, bigint), pkgtrail.project_events() FROM PUBLIC
        """,
        """
        GRANT SELECT ON pkgtrail.environment, pkgtrail.event_summary, pkgtrail.change TO pkgtrail_reader
        """
    ]
}
