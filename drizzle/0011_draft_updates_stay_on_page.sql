-- A draft is updated on every step of a conversation. With no index on updated_at (the expiry sweep walks the
-- partial index of active drafts instead) and room left on each page, the update can stay on its page (HOT): no new
-- index entries, less to write and vacuum.
DROP INDEX "conversations_stale_idx";--> statement-breakpoint
ALTER TABLE "conversations" SET (fillfactor = 50);
