//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package service

import "os"

// tryFlock cannot lock on this system: a second server (or examples/serve -new-key,
// -revoke-key) on a SQLite database a server is running on is not kept out here.
func tryFlock(*os.File) (bool, error) { return true, nil }
