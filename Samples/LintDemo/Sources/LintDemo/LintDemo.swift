// The package exists to show `swift package collate-lint`; it has no code of its own.
