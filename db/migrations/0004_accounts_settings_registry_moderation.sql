CREATE TABLE `accounts` (
	`provider` text NOT NULL,
	`provider_account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `provider_account_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `accounts_user_idx` ON `accounts` (`user_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_user_id` text,
	`action` text NOT NULL,
	`target` text,
	`before` text,
	`after` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_created_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `invites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`note` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`max_uses` integer,
	`uses` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_token_hash_unique` ON `invites` (`token_hash`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`entry` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text,
	`name` text,
	`password_hash` text,
	`role` text DEFAULT 'voter' NOT NULL,
	`disabled_at` integer,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`last_sign_in_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
ALTER TABLE `voters` ADD `banned_at` integer;--> statement-breakpoint
ALTER TABLE `voters` ADD `ban_reason` text;--> statement-breakpoint
ALTER TABLE `voters` ADD `trust` real;--> statement-breakpoint
ALTER TABLE `voters` ADD `trust_flag` text;--> statement-breakpoint
ALTER TABLE `voters` ADD `trust_override` text;--> statement-breakpoint
ALTER TABLE `voters` ADD `consented_at` integer;--> statement-breakpoint
ALTER TABLE `votes` ADD `leak_reason` text;--> statement-breakpoint
ALTER TABLE `votes` ADD `moderation` text;--> statement-breakpoint
ALTER TABLE `votes` ADD `moderation_note` text;--> statement-breakpoint
ALTER TABLE `votes` ADD `moderated_by` text;--> statement-breakpoint
ALTER TABLE `votes` ADD `moderated_at` integer;--> statement-breakpoint
CREATE INDEX `votes_voter_idx` ON `votes` (`voter_id`);--> statement-breakpoint
UPDATE `votes` SET `leak_reason` = `excluded_reason` WHERE `excluded_reason` LIKE 'identity_leak%';
