package data

import (
	"crypto/rand"
	"crypto/subtle"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Bounds of a console password.
const (
	PasswordMinLen = 12
	PasswordMaxLen = 256
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, one
// lane), about 30 ms on a desktop. They are stored with every hash so that
// later versions can raise them without invalidating existing passwords.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// PasswordHash is a console password as stored: Argon2id with a per-user
// salt and the parameters it was made with.
type PasswordHash struct {
	Salt    []byte `json:"salt"`
	Hash    []byte `json:"hash"`
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"`
	Threads uint8  `json:"p"`
}

// ValidatePassword checks a new console password against the length rules.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMinLen:
		return Errorf(EInvalid, "The password must be at least %d characters long (it has %d).", PasswordMinLen, n)
	case n > PasswordMaxLen:
		return Errorf(EInvalid, "The password must be at most %d characters long (it has %d).", PasswordMaxLen, n)
	case !utf8.ValidString(pw):
		return Errorf(EInvalid, "The password is not valid UTF-8 text.")
	}
	return nil
}

// ConfirmPassword checks that a new password was typed the same twice.
func ConfirmPassword(pw, again string) error {
	if pw != again {
		return Errorf(EInvalid, "The two passwords differ: type the same password twice.")
	}
	return nil
}

// HashPassword validates pw and returns its Argon2id hash with a new salt.
func HashPassword(pw string) (PasswordHash, error) {
	if err := ValidatePassword(pw); err != nil {
		return PasswordHash{}, err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return PasswordHash{}, storageError("generate a password salt", err)
	}
	return PasswordHash{
		Salt:    salt,
		Hash:    argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen),
		Time:    argonTime,
		Memory:  argonMemory,
		Threads: argonThreads,
	}, nil
}

// Verify reports in constant time whether pw is the password h was made from.
func (h PasswordHash) Verify(pw string) bool {
	if len(h.Hash) == 0 || h.Time == 0 || h.Memory == 0 || h.Threads == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Hash)))
	return subtle.ConstantTimeCompare(got, h.Hash) == 1
}

// IsSet reports whether a password has been set.
func (h PasswordHash) IsSet() bool { return len(h.Hash) > 0 }

// dummyPassword is verified against when a sign-in names an unknown user,
// so that the answer takes as long as for a known one.
var dummyPassword = PasswordHash{Salt: make([]byte, argonSaltLen), Hash: make([]byte, argonKeyLen), Time: argonTime, Memory: argonMemory, Threads: argonThreads}
