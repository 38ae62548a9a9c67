CREATE TABLE `edition_skips` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscriber_id` integer NOT NULL,
	`edition_key` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `edition_skips_subscriber_key_unique` ON `edition_skips` (`subscriber_id`,`edition_key`);--> statement-breakpoint
CREATE INDEX `edition_skips_key_subscriber_idx` ON `edition_skips` (`edition_key`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `editions_key_subscriber_idx` ON `editions` (`edition_key`,`subscriber_id`);