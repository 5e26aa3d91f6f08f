CREATE TABLE `studies` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`kind` text DEFAULT 'native' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`access` text NOT NULL,
	`definition` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `studies_slug_unique` ON `studies` (`slug`);--> statement-breakpoint
CREATE TABLE `study_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`text` text NOT NULL,
	`category` text,
	`check` text,
	`position` integer NOT NULL,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `study_items_key_unique` ON `study_items` (`study_id`,`kind`,`key`);--> statement-breakpoint
CREATE TABLE `study_participants` (
	`id` text PRIMARY KEY NOT NULL,
	`study_id` text NOT NULL,
	`seq` integer NOT NULL,
	`label` text NOT NULL,
	`user_id` text,
	`voter_id` text,
	`code_hash` text,
	`note` text,
	`consented_at` integer,
	`joined_at` integer,
	`excluded_at` integer,
	`excluded_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `study_participants_code_hash_unique` ON `study_participants` (`code_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `study_participants_seq_unique` ON `study_participants` (`study_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `study_participants_label_unique` ON `study_participants` (`study_id`,`label`);--> statement-breakpoint
CREATE UNIQUE INDEX `study_participants_user_unique` ON `study_participants` (`study_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `study_participants_voter_unique` ON `study_participants` (`study_id`,`voter_id`);--> statement-breakpoint
CREATE TABLE `study_slots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` text NOT NULL,
	`kind` text NOT NULL,
	`cell` integer NOT NULL,
	`item_id` integer NOT NULL,
	`position` integer,
	`model_a` text NOT NULL,
	`model_b` text NOT NULL,
	`expected` text,
	`participant_id` text,
	`battle_id` text,
	`assigned_at` integer,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `study_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `study_slots_cell_participant_unique` ON `study_slots` (`study_id`,`cell`,`participant_id`);--> statement-breakpoint
CREATE INDEX `study_slots_open_idx` ON `study_slots` (`study_id`,`kind`,`participant_id`,`position`);--> statement-breakpoint
CREATE INDEX `study_slots_participant_idx` ON `study_slots` (`participant_id`);--> statement-breakpoint
CREATE INDEX `study_slots_battle_idx` ON `study_slots` (`battle_id`);--> statement-breakpoint
ALTER TABLE `battles` ADD `study_id` text;--> statement-breakpoint
CREATE INDEX `battles_study_idx` ON `battles` (`study_id`);