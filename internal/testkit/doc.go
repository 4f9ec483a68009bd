// Package testkit owns the helpers that tests in several packages share: reading a CSV
// file the code under test wrote and finding the Chromium the browser tests drive.
package testkit
