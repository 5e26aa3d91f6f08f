CREATE TABLE `model_info` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`organization` text,
	`license` text,
	`link` text,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `battles_model_a_idx` ON `battles` (`model_a`,`created_at`);--> statement-breakpoint
CREATE INDEX `battles_model_b_idx` ON `battles` (`model_b`,`created_at`);--> statement-breakpoint
CREATE INDEX `battles_arena_idx` ON `battles` (`created_at`) WHERE source = 'arena';--> statement-breakpoint
CREATE INDEX `voters_seen_idx` ON `voters` (`last_seen_at`);--> statement-breakpoint
CREATE INDEX `votes_excluded_idx` ON `votes` (`excluded_reason`) WHERE excluded_reason IS NOT NULL;