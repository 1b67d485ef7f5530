CREATE INDEX "reminder_log_staff_day_idx" ON "reminder_log" USING btree ("staff_id","day");--> statement-breakpoint
CREATE INDEX "visits_created_idx" ON "visits" USING btree ("created_at");