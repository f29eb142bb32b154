/// The central store's schema, as numbered literal-SQL migrations (like the
/// local log's): each runs once, in order, in one transaction, under an
/// advisory lock, and is recorded in `pkgtrail.migration`.
///
/// Every table carries `log_id` (one host's log) first in its key: the
/// distribution column a Citus-style cluster shards by, so one host's chain,
/// its projections and its checks stay on one node and a fleet query fans
/// out by host.
///
/// Rows enter only through `pkgtrail.push`, a SECURITY DEFINER function
/// that checks, in the database, that each row's
/// `hash = sha256(0x00 || prev_hash || body)`, that `seq` is the stored head
/// plus one and `prev_hash` the stored head's hash. A push that does not
/// extend the head (a rewritten, forked or reset history) stores nothing and
/// is written to `pkgtrail.alert` with both heads. Events and alerts are
/// append-only (triggers refuse UPDATE and DELETE, even for the owner).
/// Hosts log in as members of `pkgtrail_host`, which may execute the push
/// and head functions and read no table; responders are members of
/// `pkgtrail_reader`, which may read every table and write none.
public enum CentralSchema {
    /// Each migration is a list of statements (the extended protocol runs one at a time).
    public static let migrations: [[String]] = [
        [
            """
            CREATE SCHEMA IF NOT EXISTS pkgtrail
            """,
            """
            REVOKE ALL ON SCHEMA pkgtrail FROM PUBLIC
            """,
            """
            CREATE TABLE pkgtrail.host_log (
                log_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                host        text NOT NULL UNIQUE,
                -- Bound at the first push: the database role that pushed and the
                -- C2SP verifier key (name+id+key) its checkpoints are signed with.
                db_role     text NOT NULL,
                verifier    text NOT NULL,
                head_seq    bigint NOT NULL DEFAULT 0,
                head_hash   bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
                -- The signed checkpoint note of the head, as pushed.
                checkpoint  text,
                first_push  timestamptz NOT NULL DEFAULT now(),
                last_push   timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE pkgtrail.event (
                log_id      bigint NOT NULL REFERENCES pkgtrail.host_log,
                seq         bigint NOT NULL CHECK (seq > 0),
                prev_hash   bytea NOT NULL CHECK (length(prev_hash) = 32),
                hash        bytea NOT NULL CHECK (length(hash) = 32),
                body        bytea NOT NULL,
                received    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (log_id, seq)
            )
            """,
            """
            CREATE TABLE pkgtrail.alert (
                alert_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at          timestamptz NOT NULL DEFAULT now(),
                host        text NOT NULL,
                log_id      bigint,
                db_role     text NOT NULL,
                kind        text NOT NULL,
                stored_seq  bigint,
                stored_hash bytea,
                pushed_seq  bigint,
                pushed_hash bytea,
                detail      text NOT NULL
            )
            """,
            """
            CREATE FUNCTION pkgtrail.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'pkgtrail: % on %.% is refused: the central store is append-only',
                    TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
            END $$
            """,
            """
            CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pkgtrail.event
                FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.refuse_change()
            """,
            """
            CREATE TRIGGER alert_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pkgtrail.alert
                FOR EACH STATEMENT EXECUTE FUNCTION pkgtrail.refuse_change()
            """,
            """
            -- The head a host pushes after: only of a log bound to the role asking.
            CREATE FUNCTION pkgtrail.head(p_host text)
            RETURNS TABLE (head_seq bigint, head_hash bytea, verifier text)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pkgtrail, pg_temp AS $$
                SELECT head_seq, head_hash, verifier FROM pkgtrail.host_log
                WHERE host = p_host AND db_role = session_user
            $$
            """,
            """
            CREATE FUNCTION pkgtrail.push(
                p_host text, p_verifier text, p_checkpoint text,
                p_seq bigint[], p_prev bytea[], p_hash bytea[], p_body bytea[])
            RETURNS TABLE (accepted boolean, head_seq bigint, head_hash bytea, reason text)
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pkgtrail, pg_temp AS $$
            DECLARE
                log pkgtrail.host_log%ROWTYPE;
                n int := coalesce(array_length(p_seq, 1), 0);
                want_seq bigint;
                want_prev bytea;
                why text;
                bad int;
            BEGIN
                IF n <> coalesce(array_length(p_prev, 1), 0) OR n <> coalesce(array_length(p_hash, 1), 0)
                    OR n <> coalesce(array_length(p_body, 1), 0) THEN
                    RAISE EXCEPTION 'pkgtrail: a push''s columns differ in length';
                END IF;
                INSERT INTO pkgtrail.host_log (host, db_role, verifier) VALUES (p_host, session_user, p_verifier)
                    ON CONFLICT (host) DO NOTHING;
                SELECT * INTO log FROM pkgtrail.host_log WHERE host = p_host FOR UPDATE;
                IF log.db_role <> session_user THEN
                    why := 'pushed by database role ' || session_user || ', but ' || p_host || ' is bound to '
                        || log.db_role;
                    INSERT INTO pkgtrail.alert (host, log_id, db_role, kind, stored_seq, stored_hash, detail)
                        VALUES (p_host, log.log_id, session_user, 'wrong-role', log.head_seq, log.head_hash, why);
                    RETURN QUERY SELECT false, NULL::bigint, NULL::bytea, why;
                    RETURN;
                END IF;
                IF log.verifier <> p_verifier THEN
                    why := 'pushed with another checkpoint key than the one ' || p_host || ' is bound to';
                    INSERT INTO pkgtrail.alert (host, log_id, db_role, kind, stored_seq, stored_hash, detail)
                        VALUES (p_host, log.log_id, session_user, 'wrong-key', log.head_seq, log.head_hash, why);
                    RETURN QUERY SELECT false, log.head_seq, log.head_hash, why;
                    RETURN;
                END IF;
                want_seq := log.head_seq;
                want_prev := log.head_hash;
                FOR i IN 1..n LOOP
                    IF p_seq[i] <= log.head_seq THEN
                        -- Already stored (a repeated or resumed push): it must be the same row.
                        IF NOT EXISTS (SELECT 1 FROM pkgtrail.event e
                                       WHERE e.log_id = log.log_id AND e.seq = p_seq[i] AND e.hash = p_hash[i]) THEN
                            why := 'seq ' || p_seq[i] || ' differs from the stored history: rewritten or forked';
                            bad := i;
                            EXIT;
                        END IF;
                        CONTINUE;
                    END IF;
                    IF p_seq[i] <> want_seq + 1 THEN
                        why := 'seq ' || p_seq[i] || ' does not follow the stored head ' || want_seq;
                    ELSIF p_prev[i] <> want_prev THEN
                        why := 'seq ' || p_seq[i] || ' does not extend the stored head: rewritten, forked or reset';
                    ELSIF sha256('\\x00'::bytea || p_prev[i] || p_body[i]) <> p_hash[i] THEN
                        why := 'seq ' || p_seq[i] || ': its hash is not sha256(0x00 || prev_hash || body)';
                    END IF;
                    IF why IS NOT NULL THEN
                        bad := i;
                        EXIT;
                    END IF;
                    want_seq := p_seq[i];
                    want_prev := p_hash[i];
                END LOOP;
                IF why IS NOT NULL THEN
                    INSERT INTO pkgtrail.alert
                        (host, log_id, db_role, kind, stored_seq, stored_hash, pushed_seq, pushed_hash, detail)
                        VALUES (p_host, log.log_id, session_user, 'refused', log.head_seq, log.head_hash,
                                p_seq[bad], p_hash[bad], why);
                    RETURN QUERY SELECT false, log.head_seq, log.head_hash, why;
                    RETURN;
                END IF;
                INSERT INTO pkgtrail.event (log_id, seq, prev_hash, hash, body)
                    SELECT log.log_id, t.s, t.p, t.h, t.b FROM unnest(p_seq, p_prev, p_hash, p_body) AS t(s, p, h, b)
                    WHERE t.s > log.head_seq;
                UPDATE pkgtrail.host_log SET head_seq = want_seq, head_hash = want_prev,
                    checkpoint = coalesce(p_checkpoint, checkpoint), last_push = now()
                    WHERE log_id = log.log_id;
                RETURN QUERY SELECT true, want_seq, want_prev, NULL::text;
            END $$
            """,
            """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pkgtrail_host') THEN
                    CREATE ROLE pkgtrail_host NOLOGIN;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pkgtrail_reader') THEN
                    CREATE ROLE pkgtrail_reader NOLOGIN;
                END IF;
            END $$
            """,
            """
            REVOKE ALL ON ALL TABLES IN SCHEMA pkgtrail FROM PUBLIC
            """,
            """
            REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pkgtrail FROM PUBLIC
            """,
            """
            GRANT USAGE ON SCHEMA pkgtrail TO pkgtrail_host, pkgtrail_reader
            """,
            """
            GRANT EXECUTE ON FUNCTION pkgtrail.push(text, text, text, bigint[], bytea[], bytea[], bytea[]),
                pkgtrail.head(text) TO pkgtrail_host
            """,
            """
            GRANT SELECT ON ALL TABLES IN SCHEMA pkgtrail TO pkgtrail_reader
            """
        ],
        projections
    ]
}
