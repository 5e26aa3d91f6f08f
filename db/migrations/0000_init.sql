CREATE TABLE `battles` (
	`id` text PRIMARY KEY NOT NULL,
	`model_a` text NOT NULL,
	`model_b` text NOT NULL,
	`mode` text NOT NULL,
	`sampling_probability` real,
	`status` text DEFAULT 'active' NOT NULL,
	`turns` integer DEFAULT 0 NOT NULL,
	`question_id` text,
	`language` text,
	`is_code` integer,
	`prompt_chars` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`source` text DEFAULT 'arena' NOT NULL,
	`import_id` integer,
	`judge` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `battles_status_idx` ON `battles` (`status`);--> statement-breakpoint
CREATE INDEX `battles_import_idx` ON `battles` (`import_id`);--> statement-breakpoint
CREATE INDEX `battles_created_idx` ON `battles` (`created_at`);--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`file_sha256` text NOT NULL,
	`file_name` text NOT NULL,
	`format` text NOT NULL,
	`imported_count` integer DEFAULT 0 NOT NULL,
	`skipped_count` integer DEFAULT 0 NOT NULL,
	`report` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `imports_file_sha256_unique` ON `imports` (`file_sha256`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`battle_id` text NOT NULL,
	`side` text NOT NULL,
	`turn` integer NOT NULL,
	`role` text NOT NULL,
	`content` text NOT NULL,
	`superseded` integer DEFAULT false NOT NULL,
	`tokens` integer,
	`ttft_ms` integer,
	`duration_ms` integer,
	`finish_reason` text,
	`error` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`battle_id`) REFERENCES `battles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messages_battle_idx` ON `messages` (`battle_id`,`side`,`turn`);--> statement-breakpoint
CREATE TABLE `rating_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`category` text NOT NULL,
	`style_control` integer DEFAULT false NOT NULL,
	`method` text NOT NULL,
	`params` text NOT NULL,
	`battle_count` integer NOT NULL,
	`data_hash` text NOT NULL,
	`result` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `snapshots_lookup_idx` ON `rating_snapshots` (`category`,`style_control`,`created_at`);--> statement-breakpoint
CREATE TABLE `votes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`battle_id` text NOT NULL,
	`winner` text NOT NULL,
	`voter_id` text,
	`excluded_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`battle_id`) REFERENCES `battles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `votes_battle_unique` ON `votes` (`battle_id`);--> statement-breakpoint
CREATE INDEX `votes_created_idx` ON `votes` (`created_at`);