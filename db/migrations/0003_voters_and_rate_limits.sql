CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`expire` integer
);
--> statement-breakpoint
CREATE TABLE `voters` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`network` text,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `voters_user_idx` ON `voters` (`user_id`);--> statement-breakpoint
ALTER TABLE `battles` ADD `voter_id` text;--> statement-breakpoint
ALTER TABLE `battles` ADD `user_id` text;--> statement-breakpoint
ALTER TABLE `battles` ADD `network` text;--> statement-breakpoint
CREATE INDEX `battles_voter_idx` ON `battles` (`voter_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `battles_user_idx` ON `battles` (`user_id`,`created_at`);--> statement-breakpoint
UPDATE `battles` SET `voter_id` = `judge` WHERE `source` = 'arena' AND `judge` IS NOT NULL;--> statement-breakpoint
INSERT OR IGNORE INTO `voters` (`id`, `created_at`, `last_seen_at`)
  SELECT `voter_id`, min(`created_at`), max(`updated_at`) FROM `battles` WHERE `voter_id` IS NOT NULL GROUP BY `voter_id`;
