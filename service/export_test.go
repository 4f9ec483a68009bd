package service

// SetPasswordIterations sets the PBKDF2 iteration count of new passwords, for tests that
// create many accounts, and returns the count it replaced.
func SetPasswordIterations(n int) int {
	old := passwordIterations
	passwordIterations = n
	return old
}

// HashPassword and CheckPassword expose the password hashing to the tests.
var (
	HashPassword  = hashPassword
	CheckPassword = checkPassword
)
