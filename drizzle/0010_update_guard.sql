-- The hot path's optimistic update (src/db/updateGuard.ts): an update computed from what the service last knew of
-- a user is sent with its guard, and when the guard finds that anything it relied on changed (the update id was
-- seen before, the person's binding, staff row or area, their draft's version, the child's row or scope), this
-- raises and the whole transaction, sent in the same round trip, rolls back. SQLSTATE CW409 tells the service to
-- redo the update the ordinary way, from a fresh read.
CREATE OR REPLACE FUNCTION cw_update_guard(still_true boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF still_true IS NOT TRUE THEN
    RAISE EXCEPTION 'update guard: what the update was computed from has changed' USING ERRCODE = 'CW409';
  END IF;
  RETURN true;
END;
$$;
