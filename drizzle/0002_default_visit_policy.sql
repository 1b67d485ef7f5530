-- Default visit policy (DESIGN.md §4): red 7, orange 14, yellow 30, green 90 days; a left-behind or de-facto
-- unsupported child at least every 30 days whatever the level. Admins edit it with `npm run admin -- policy`.
INSERT INTO visit_policy (category, risk_level, interval_days) VALUES
  ('*', 'red', 7), ('*', 'orange', 14), ('*', 'yellow', 30), ('*', 'green', 90),
  ('left_behind', 'green', 30), ('left_behind', 'yellow', 30),
  ('de_facto_unsupported', 'green', 30), ('de_facto_unsupported', 'yellow', 30)
ON CONFLICT DO NOTHING;
