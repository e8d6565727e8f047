package data

import (
	"crypto/rand"
	"crypto/sha256"
	"hash/crc32"
	"io"
	"strconv"
	"unsafe"
)

// Key format. Both kinds of key follow GitHub's token scheme: a prefix that
// says what the string is (so secret scanners can find leaked keys), a body
// of random base62 characters, and a base62 CRC32 of prefix and body (so a
// typo or a truncated paste is rejected before any store look-up).
const (
	AccountKeyPrefix = "kwa_" // account keys, sent as x-api-key
	UserKeyPrefix    = "kwu_" // user keys, sent as x-api-secret-key

	keyPrefixLen = 4
	keyBodyLen   = 32 // 32 × log2(62) ≈ 190 bits from crypto/rand
	keyCheckLen  = 6  // 62^6 > 2^32: a CRC32 fits

	// KeyLen is the length of every key, account or user.
	KeyLen = keyPrefixLen + keyBodyLen + keyCheckLen
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomSource is where key bodies come from; tests replace it to see what
// happens when the system's generator fails.
var randomSource io.Reader = rand.Reader

// NewAccountKey returns a new account key.
func NewAccountKey() (string, error) { return newKey(AccountKeyPrefix) }

// NewUserKey returns a new user key.
func NewUserKey() (string, error) { return newKey(UserKeyPrefix) }

func newKey(prefix string) (string, error) {
	buf := make([]byte, KeyLen)
	copy(buf, prefix)
	body := buf[keyPrefixLen : keyPrefixLen+keyBodyLen]
	// Rejection sampling keeps every character equally likely: 248 is the
	// largest multiple of 62 that fits in a byte.
	var random [64]byte
	for filled := 0; filled < len(body); {
		if _, err := io.ReadFull(randomSource, random[:]); err != nil {
			return "", storageError("generate a key from the system's random source", err)
		}
		for _, b := range random {
			if b < 248 && filled < len(body) {
				body[filled] = base62[b%62]
				filled++
			}
		}
	}
	putChecksum(buf[keyPrefixLen+keyBodyLen:], crc32.ChecksumIEEE(buf[:keyPrefixLen+keyBodyLen]))
	return string(buf), nil
}

// putChecksum writes c as keyCheckLen base62 digits, most significant first.
func putChecksum(dst []byte, c uint32) {
	for i := keyCheckLen - 1; i >= 0; i-- {
		dst[i] = base62[c%62]
		c /= 62
	}
}

// Errors of CheckKeyFormat. They are values, not built per call, so that
// rejecting garbage costs no allocation either.
var (
	errAccountKeyFormat = &Error{Code: EUnauthenticated, Message: "The x-api-key header is not a Keyward account key: it must be the " + strconv.Itoa(KeyLen) + "-character key starting with " + AccountKeyPrefix + " shown in the console."}
	errUserKeyFormat    = &Error{Code: EUnauthenticated, Message: "The x-api-secret-key header is not a Keyward user key: it must be the " + strconv.Itoa(KeyLen) + "-character key starting with " + UserKeyPrefix + " shown when the key was created."}
	errAccountKeyTypo   = &Error{Code: EUnauthenticated, Message: "The x-api-key header has the form of an account key but its checksum is wrong: it was mistyped or truncated."}
	errUserKeyTypo      = &Error{Code: EUnauthenticated, Message: "The x-api-secret-key header has the form of a user key but its checksum is wrong: it was mistyped or truncated."}
)

// CheckAccountKeyFormat checks the form and checksum of an account key
// without a store. It allocates nothing.
func CheckAccountKeyFormat(key string) error {
	return checkKeyFormat(key, AccountKeyPrefix, errAccountKeyFormat, errAccountKeyTypo)
}

// CheckUserKeyFormat checks the form and checksum of a user key without a
// store. It allocates nothing.
func CheckUserKeyFormat(key string) error {
	return checkKeyFormat(key, UserKeyPrefix, errUserKeyFormat, errUserKeyTypo)
}

func checkKeyFormat(key, prefix string, errFormat, errTypo error) error {
	if len(key) != KeyLen || key[:keyPrefixLen] != prefix {
		return errFormat
	}
	for i := keyPrefixLen; i < KeyLen; i++ {
		if !isBase62[key[i]] {
			return errFormat
		}
	}
	var want [keyCheckLen]byte
	putChecksum(want[:], crc32.ChecksumIEEE(stringBytes(key[:keyPrefixLen+keyBodyLen])))
	if string(want[:]) != key[keyPrefixLen+keyBodyLen:] {
		return errTypo
	}
	return nil
}

// isBase62 tells the characters of the base62 alphabet.
var isBase62 = func() (t [256]bool) {
	for i := range len(base62) {
		t[base62[i]] = true
	}
	return t
}()

// KeyHash is the SHA-256 of a user key: all the store keeps of it.
type KeyHash [sha256.Size]byte

// HashKey returns the hash under which a user key is stored. It allocates
// nothing.
func HashKey(key string) KeyHash { return sha256.Sum256(stringBytes(key)) }

// KeyHint is what may be shown of a stored key: its prefix and last four
// characters, as in "kwu_…a1B2".
func KeyHint(key string) string {
	if len(key) < keyPrefixLen+4 {
		return "…"
	}
	return key[:keyPrefixLen] + "…" + key[len(key)-4:]
}

// stringBytes views s as a byte slice without copying, for read-only
// calls: the hash and checksum on the authentication hot path, and the
// stored hashes' decoding. The result must never be written to.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
