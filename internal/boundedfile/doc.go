// Package boundedfile opens the files a user names for the programs and the library to
// read whole (settings, models, ID lists, ledgers, keys): regular files only, and no more
// than a cap. A device such as /dev/zero or /dev/full, a FIFO or a folder would be read
// without end or block; a file far larger than any such file holds is a wrong path.
package boundedfile
