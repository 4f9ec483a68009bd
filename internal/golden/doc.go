// Package golden owns the project's golden-file check: test output compared with a file
// under testdata/, rewritten when the test runs with -update.
package golden
