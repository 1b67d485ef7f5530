ALTER TABLE "reminder_log" DROP CONSTRAINT "reminder_log_child_id_children_id_fk";
--> statement-breakpoint
ALTER TABLE "reminder_log" DROP CONSTRAINT "reminder_log_staff_id_staff_id_fk";
