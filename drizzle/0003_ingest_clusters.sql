ALTER TABLE `items` ADD `canonical_url` text;--> statement-breakpoint
ALTER TABLE `items` ADD `simhash` text;--> statement-breakpoint
ALTER TABLE `items` ADD `enclosure` text;--> statement-breakpoint
ALTER TABLE `sources` ADD `format` text;