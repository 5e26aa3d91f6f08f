CREATE TABLE `battle_images` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`battle_id` text NOT NULL,
	`turn` integer NOT NULL,
	`media_type` text NOT NULL,
	`data` blob NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`battle_id`) REFERENCES `battles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `battle_images_battle_idx` ON `battle_images` (`battle_id`,`turn`);--> statement-breakpoint
ALTER TABLE `battles` ADD `vision` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `battles` ADD `share_token` text;--> statement-breakpoint
ALTER TABLE `battles` ADD `shared_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `battles_share_token_unique` ON `battles` (`share_token`);