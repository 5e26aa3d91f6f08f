CREATE TABLE `pair_count_identities` (
	`identity` text NOT NULL,
	`category` text NOT NULL,
	`model_a` text NOT NULL,
	`model_b` text NOT NULL,
	`outcome` integer NOT NULL,
	`votes` integer NOT NULL,
	`weight` real NOT NULL,
	PRIMARY KEY(`identity`, `category`, `model_a`, `model_b`, `outcome`)
);
--> statement-breakpoint
CREATE INDEX `pair_count_identities_capped_idx` ON `pair_count_identities` (`identity`) WHERE weight <> votes;--> statement-breakpoint
CREATE TABLE `pair_count_models` (
	`category` text NOT NULL,
	`model` text NOT NULL,
	`elo` real NOT NULL,
	`first_vote_at` integer,
	PRIMARY KEY(`category`, `model`)
);
--> statement-breakpoint
CREATE TABLE `pair_counts` (
	`category` text NOT NULL,
	`model_a` text NOT NULL,
	`model_b` text NOT NULL,
	`outcome` integer NOT NULL,
	`votes` integer NOT NULL,
	PRIMARY KEY(`category`, `model_a`, `model_b`, `outcome`)
);
