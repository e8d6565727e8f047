package data

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
)

// The account key must be shown again on demand, so unlike user keys it
// cannot be kept as a hash. It is stored sealed with AES-256-GCM under a
// random seal key kept in a file of its own (Options.SealKeyFile; beside
// the database in a data directory), readable by the owner only. The
// stored records (and backups of them) therefore never hold the account
// key in plaintext; whoever can read both the records and the seal file
// can recover it, as with any credential a program must reproduce.

// sealKey returns the seal key, creating the file when create is true and
// there is none.
func (s *Store) sealKey(create bool) ([]byte, error) {
	path := s.opts.SealKeyFile
	if path == "" {
		return nil, Errorf(EInternal, "No seal key file was given, so the account key cannot be sealed or read.")
	}
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != 32 {
			return nil, Errorf(EInternal, "The seal key %s is damaged (it should be 32 bytes).", path)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return nil, storageError("read the seal key "+path, err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, storageError("generate a seal key", err)
	}
	if err := writeSealKey(path, key); err != nil {
		return nil, err
	}
	return key, nil
}

// CreateSealKey makes sure the seal key file exists, creating it if it
// does not, and tells which: on a shared store, the account's first
// machine makes it, and every other is given a copy.
func (s *Store) CreateSealKey() (created bool, err error) {
	if _, err := os.Stat(s.opts.SealKeyFile); err == nil {
		_, err := s.sealKey(false) // it must be a seal key
		return false, err
	}
	if _, err := s.sealKey(true); err != nil {
		return false, err
	}
	return true, nil
}

// writeSealKey writes a new seal key file, whole or not at all (WriteFile),
// refusing to replace one that is there.
func writeSealKey(path string, key []byte) error {
	err := WriteFile(path, true, func(w io.Writer) error { _, err := w.Write(key); return err })
	if errors.Is(err, fs.ErrExist) {
		return Errorf(EConflict, "A seal key already exists at %s; it was left as it is.", path)
	}
	return storageError("write the seal key "+path, err)
}

func sealAAD(accountID int64) []byte {
	return binary.BigEndian.AppendUint64([]byte("keyward account key v1/"), uint64(accountID))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// shared tells a store several machines use at once (SharedBackend).
func (s *Store) shared() bool {
	sb, ok := s.b.(SharedBackend)
	return ok && sb.Shared()
}

// sealKeyID names a seal key without giving it away: the first 8 bytes
// of a hash of it, in hex.
func sealKeyID(key []byte) string {
	h := sha256.Sum256(append([]byte("keyward seal key id v1/"), key...))
	return hex.EncodeToString(h[:8])
}

// sealedWith tells whether key is the account's seal key: it opens the
// sealed account key or, while the API is disabled, it is the one the
// account names (any key, when it names none).
func (r *accountRecord) sealedWith(key []byte) bool {
	if len(r.SealedKey) > 0 {
		_, _, err := openSealed(key, r.ID, r.SealedKey)
		return err == nil
	}
	return r.SealKeyID == "" || sealKeyID(key) == r.SealKeyID
}

// sealKeyToEnable is the seal key the API is enabled with: the seal key
// file's, made when there is none. With fresh, it is made anew, and a
// file already there is refused. On a shared store a missing file is made
// only with fresh, or when the account has never named its seal key, and
// a file that is not the account's is refused: a key sealed with another
// would leave every other machine unable to read the account key. (In one
// machine's data directory a lost seal key is lost for all, and the API
// is enabled with a new one, as the console's Enable API does.)
func (s *Store) sealKeyToEnable(rec *accountRecord, fresh bool) (key []byte, made bool, err error) {
	path := s.opts.SealKeyFile
	if path == "" {
		return nil, false, Errorf(EInternal, "No seal key file was given, so the account key cannot be sealed or read.")
	}
	_, statErr := os.Stat(path)
	missing := errors.Is(statErr, fs.ErrNotExist)
	shared := s.shared() && rec.SealKeyID != "" && !fresh
	switch {
	case fresh && statErr == nil:
		return nil, false, Errorf(EConflict, "The seal key file %s exists already, and a new seal key is made only where there is none: enable the API without asking for a new seal key to use this one.", path)
	case shared && missing:
		return nil, false, Errorf(EConflict, "This machine has no copy of the account's seal key file (%s): copy it here from a machine that uses the account, then enable the API. A new seal key made here would leave every other machine unable to read the account key; if no copy is left anywhere, enable the API with a new seal key ('keyward api enable --new-seal-key') and give every machine a copy.", path)
	}
	if key, err = s.sealKey(missing); err != nil {
		return nil, false, err
	}
	if shared && !rec.sealedWith(key) {
		return nil, false, Errorf(EConflict, "The seal key file %s is not the one this account's key is sealed with: give the account's seal key file (the one 'keyward init' or 'keyward migrate' named; every machine that uses the account has a copy), then enable the API.", path)
	}
	return key, missing, nil
}

// sealAccountKey encrypts the account key with the seal key key; the
// nonce is stored in front.
func sealAccountKey(key []byte, accountID int64, accountKey string) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, storageError("seal the account key", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, storageError("seal the account key", err)
	}
	return aead.Seal(nonce, nonce, []byte(accountKey), sealAAD(accountID)), nil
}

// unsealAccountKey decrypts a sealed account key. sealKeyID is the
// account's (empty when no seal key is known: restored without it).
func (s *Store) unsealAccountKey(accountID int64, sealed []byte, sealKeyID string) (string, error) {
	const advice = " Disable and re-enable the API to issue a new account key."
	key, err := s.sealKey(false)
	if errors.Is(err, fs.ErrNotExist) && sealKeyID != "" && s.shared() {
		return "", Errorf(EInternal, "The account key cannot be read here: this machine has no copy of the account's seal key file (%s). Copy it here from a machine that uses the account (or from where you keep its copy).", s.opts.SealKeyFile)
	}
	if err != nil {
		return "", Errorf(EInternal, "The account key cannot be read: %s.%s", ErrorMessage(err), advice)
	}
	plain, damaged, err := openSealed(key, accountID, sealed)
	switch {
	case damaged:
		return "", Errorf(EInternal, "The stored account key is damaged.%s", advice)
	case err != nil && s.shared():
		return "", Errorf(EInternal, "The account key cannot be read: the seal key %s does not match it. Give the account's seal key file (the one 'keyward init' or 'keyward migrate' named; every machine that uses the account has a copy).", s.opts.SealKeyFile)
	case err != nil:
		return "", Errorf(EInternal, "The account key cannot be read: the seal key %s does not match it.%s", s.opts.SealKeyFile, advice)
	}
	return plain, nil
}

// openSealed decrypts a sealed account key with the seal key key. damaged
// tells a sealed key too short to be one from a seal key that does not
// match it.
func openSealed(key []byte, accountID int64, sealed []byte) (plain string, damaged bool, err error) {
	aead, err := newGCM(key)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", true, errors.New("damaged")
	}
	b, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], sealAAD(accountID))
	return string(b), false, err
}
