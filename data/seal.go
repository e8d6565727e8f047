package data

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
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

// sealAccountKey encrypts the account key; the nonce is stored in front.
func (s *Store) sealAccountKey(accountID int64, accountKey string) ([]byte, error) {
	key, err := s.sealKey(true)
	if err != nil {
		return nil, err
	}
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

// unsealAccountKey decrypts a sealed account key.
func (s *Store) unsealAccountKey(accountID int64, sealed []byte) (string, error) {
	const advice = " Disable and re-enable the API to issue a new account key."
	key, err := s.sealKey(false)
	if err != nil {
		return "", Errorf(EInternal, "The account key cannot be read: %s.%s", ErrorMessage(err), advice)
	}
	plain, damaged, err := openSealed(key, accountID, sealed)
	switch {
	case damaged:
		return "", Errorf(EInternal, "The stored account key is damaged.%s", advice)
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
