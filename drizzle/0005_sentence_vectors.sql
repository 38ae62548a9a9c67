CREATE TABLE `sentence_vectors` (
	`key` text PRIMARY KEY NOT NULL,
	`vector` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
