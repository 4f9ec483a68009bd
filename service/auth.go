package service

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// Role is what a signed-in account is.
type Role string

// Roles.
const (
	RoleStaff    Role = "staff"    // an LEA's staff member, with backpack permissions
	RoleGuardian Role = "guardian" // a parent or guardian of the students listed
	RoleReviewer Role = "reviewer" // a state reviewer of the match queue
)

// Account is someone who signs in to the pages.
type Account struct {
	Username string
	Role     Role
	// LEA is where a staff member works, or where a guardian files requests.
	LEA string
	// Permissions are a staff member's: backpack.PermView, backpack.PermRequest, no other
	// (PermHandOff is the state's enrollment service's alone).
	Permissions backpack.Permission
	// Students are a guardian's children, by SSID: the only students they may request.
	Students []string
}

func (a Account) staff() backpack.StaffUser {
	return backpack.StaffUser{ID: a.Username, LEA: a.LEA, Permissions: a.Permissions}
}

// KeySpec asks for an API key: for an LEA, or, with LEA empty, for the state's reviewers.
type KeySpec struct {
	LEA   string `json:"lea"`
	Label string `json:"label"`
}

// Credentials are keys and passwords as created, the only time they exist in the clear.
type Credentials struct {
	APIKeys  []KeySecret     `json:"api_keys"`
	Accounts []AccountSecret `json:"accounts"`
}

// KeySecret is an API key: send it as "Authorization: Bearer KEY".
type KeySecret struct {
	LEA   string `json:"lea,omitempty"`
	Label string `json:"label"`
	Key   string `json:"key"`
}

// AccountSecret is an account with its password.
type AccountSecret struct {
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	Role        Role     `json:"role"`
	LEA         string   `json:"lea,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
	Students    []string `json:"students,omitempty"`
}

// permissionNames lists a staff member's permissions as the PowerSchool guide names them.
func permissionNames(p backpack.Permission) []string {
	var out []string
	for _, x := range []backpack.Permission{backpack.PermView, backpack.PermRequest} {
		if p&x != 0 {
			out = append(out, x.String())
		}
	}
	return out
}

// secret returns n random bytes, base64url-encoded.
func secret(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken hashes an API key or session token for storage: they are random and long, so
// a plain SHA-256 is enough to make a stolen table useless.
func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// Passwords are stored as PBKDF2-HMAC-SHA-256 with a random salt; the iteration count
// (OWASP's 2023 figure for this hash) travels with the hash so that it can be raised
// later. Only the tests lower it, to make signing up many accounts quick.
var passwordIterations = 600_000

func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", passwordIterations, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an account does not exist, so that a sign-in takes
// as long whether or not the username is known.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword(secret(16))
	return h
})

// insertKey stores a key, hashed.
func (s *Store) insertKey(ctx context.Context, tx *sql.Tx, spec KeySpec, key string, at time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO api_keys (hash, lea, label, created) VALUES (?, ?, ?, ?)`), hashToken(key), spec.LEA, spec.Label, stamp(at))
	return err
}

func (s *Store) insertAccount(ctx context.Context, tx *sql.Tx, a Account, passwordHash string, at time.Time) error {
	students, err := json.Marshal(a.Students)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO accounts (username, role, lea, permissions, students, password, created) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		a.Username, string(a.Role), a.LEA, int64(a.Permissions), string(students), passwordHash, stamp(at))
	if err != nil {
		return fmt.Errorf("account %q: %w", a.Username, err)
	}
	return nil
}

// account returns an account and its password hash.
func (s *Store) account(ctx context.Context, username string) (Account, string, bool, error) {
	var a Account
	var role, students, hash string
	var perms int64
	if !textArgs(username) {
		return a, "", false, nil
	}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT username, role, lea, permissions, students, password FROM accounts WHERE username = ?`), username).
		Scan(&a.Username, &role, &a.LEA, &perms, &students, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, "", false, nil
	}
	if err != nil {
		return a, "", false, fmt.Errorf("service: reading account: %w", err)
	}
	a.Role, a.Permissions = Role(role), backpack.Permission(perms)
	if err := json.Unmarshal([]byte(students), &a.Students); err != nil {
		return a, "", false, fmt.Errorf("service: account %s: %w", username, err)
	}
	return a, hash, true, nil
}

// session is a signed-in account.
type session struct {
	Account Account
	CSRF    string
}

func (s *Store) insertSession(ctx context.Context, tx *sql.Tx, token, username, csrf string, expires time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (hash, username, csrf, expires) VALUES (?, ?, ?, ?)`), hashToken(token), username, csrf, stamp(expires))
	return err
}

func (s *Store) deleteSession(ctx context.Context, tx *sql.Tx, token string) error {
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE hash = ?`), hashToken(token))
	return err
}

// deleteExpiredSessions forgets the sessions that have ended.
func (s *Store) deleteExpiredSessions(ctx context.Context, tx *sql.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires < ?`), stamp(now))
	return err
}

// session returns the live session of a token.
func (s *Store) session(ctx context.Context, token string, now time.Time) (session, bool, error) {
	var username, csrf, expires string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT username, csrf, expires FROM sessions WHERE hash = ?`), hashToken(token)).Scan(&username, &csrf, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, fmt.Errorf("service: reading session: %w", err)
	}
	if !now.Before(unstamp(expires)) {
		return session{}, false, nil
	}
	a, _, ok, err := s.account(ctx, username)
	if err != nil || !ok {
		return session{}, false, err
	}
	return session{Account: a, CSRF: csrf}, true, nil
}

// CreateAPIKey issues an API key for an LEA (or, with lea empty, for the state's
// reviewers) and returns it; only its hash is stored.
func (s *Server) CreateAPIKey(ctx context.Context, spec KeySpec) (string, error) {
	k, err := s.IssueAPIKey(ctx, spec, "service", nil)
	return k.Key, err
}

// IssueAPIKey issues an API key as CreateAPIKey does, audited as issued by actor. keep,
// when not nil, is given the key before its hash is committed: when it fails, the key is
// not issued. No other key is revoked.
func (s *Server) IssueAPIKey(ctx context.Context, spec KeySpec, actor string, keep func(KeySecret) error) (KeySecret, error) {
	if spec.Label == "" {
		return KeySecret{}, errors.New("service: an API key needs a label")
	}
	k := KeySecret{LEA: spec.LEA, Label: spec.Label, Key: "slk_" + secret(32)}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := backpack.Entry{Action: actionAccess, Actor: actor, Note: fmt.Sprintf("API key %q issued for %s", spec.Label, scopeName(spec.LEA))}
	err := s.commit(ctx, []backpack.Entry{e}, func(tx *sql.Tx) error {
		if err := s.store.insertKey(ctx, tx, spec, k.Key, s.now()); err != nil {
			return err
		}
		if keep != nil {
			return keep(k)
		}
		return nil
	})
	if err != nil {
		return KeySecret{}, err
	}
	return k, nil
}

// CreateAccount creates an account with a random password and returns the password;
// only its hash is stored.
func (s *Server) CreateAccount(ctx context.Context, a Account) (string, error) {
	if err := validAccount(a); err != nil {
		return "", err
	}
	password := secret(12)
	hash, err := hashPassword(password)
	if err != nil {
		return "", err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := backpack.Entry{Action: actionAccess, Actor: "service", Note: accountNote(a)}
	err = s.commit(ctx, []backpack.Entry{e}, func(tx *sql.Tx) error { return s.store.insertAccount(ctx, tx, a, hash, s.now()) })
	return password, err
}

func validAccount(a Account) error {
	switch {
	case strings.TrimSpace(a.Username) == "":
		return errors.New("service: an account needs a username")
	case a.Role != RoleStaff && a.Role != RoleGuardian && a.Role != RoleReviewer:
		return fmt.Errorf("service: account %q: unknown role %q", a.Username, a.Role)
	case a.Role != RoleReviewer && a.LEA == "":
		return fmt.Errorf("service: account %q: a %s needs an LEA", a.Username, a.Role)
	case a.Role == RoleStaff && a.Permissions&backpack.PermView == 0:
		return fmt.Errorf("service: staff account %q: every staff permission includes viewing backpacks", a.Username)
	case a.Permissions&^(backpack.PermView|backpack.PermRequest) != 0:
		return fmt.Errorf("service: account %q: an account holds only the permissions %q and %q, not %q (only the state's enrollment service hands backpacks to LEAs)",
			a.Username, backpack.PermView, backpack.PermRequest, a.Permissions&^(backpack.PermView|backpack.PermRequest))
	}
	return nil
}

func accountNote(a Account) string {
	note := fmt.Sprintf("%s account %q created", a.Role, a.Username)
	if a.LEA != "" {
		note += " at LEA " + a.LEA
	}
	if a.Role == RoleStaff {
		note += " with permissions: " + strings.Join(permissionNames(a.Permissions), "; ")
	}
	return note
}

func scopeName(lea string) string {
	if lea == "" {
		return "the state's reviewers"
	}
	return "LEA " + lea
}
