// Package filelock owns advisory locks on open files: the audit log's and the research
// ledger's writers (package backpack) and a server's hold on its SQLite database (package
// service) keep a second writer out with them.
package filelock
