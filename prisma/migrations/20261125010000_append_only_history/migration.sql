-- Reviewers' work is history: decisions, overrides and spot-check labels are appended, never changed.
-- Enforced by the database so no code path (or manual mistake through the app's role) can lose one.
CREATE FUNCTION quarry_forbid_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER account_decisions_append_only BEFORE UPDATE OR DELETE ON "account_decisions"
  FOR EACH ROW EXECUTE FUNCTION quarry_forbid_history_change();
CREATE TRIGGER overrides_append_only BEFORE UPDATE OR DELETE ON "overrides"
  FOR EACH ROW EXECUTE FUNCTION quarry_forbid_history_change();
CREATE TRIGGER spot_check_labels_append_only BEFORE UPDATE OR DELETE ON "spot_check_labels"
  FOR EACH ROW EXECUTE FUNCTION quarry_forbid_history_change();
