package data

import (
	"fmt"
	"os"
)

// NewAccount is what Init needs: the account and its first Owner.
type NewAccount struct {
	AccountName   string
	OwnerName     string
	OwnerEmail    string
	OwnerPassword string
}

// Init creates the account and its first Owner in a new data directory.
func (s *Store) Init(req NewAccount) (Account, User, error) {
	if err := ValidateName("account name", req.AccountName); err != nil {
		return Account{}, User{}, err
	}
	if err := ValidateName("owner's name", req.OwnerName); err != nil {
		return Account{}, User{}, err
	}
	if err := ValidateEmail(req.OwnerEmail); err != nil {
		return Account{}, User{}, err
	}
	pw, err := HashPassword(req.OwnerPassword)
	if err != nil {
		return Account{}, User{}, err
	}
	var acct accountRecord
	var owner userRecord
	actor := Actor{Name: req.OwnerName, Role: RoleOwner}
	err = s.update(actor, func(t *tx) error {
		if s.ix.account != nil {
			return Errorf(EConflict, "This data directory already has an account (%s).", s.ix.account.Name)
		}
		if err := s.unfinishedRestore(); err != nil {
			return err
		}
		acctID, err := s.next(seqAccount)
		if err != nil {
			return err
		}
		userID, err := s.next(seqUser)
		if err != nil {
			return err
		}
		acct = accountRecord{V: recordVersion, ID: acctID, Name: req.AccountName, CreatedAt: t.now, UpdatedAt: t.now}
		if key, err := s.sealKey(false); err == nil {
			acct.SealKeyID = sealKeyID(key) // made before the account, as on a shared store
		}
		owner = userRecord{V: recordVersion, ID: userID, Name: req.OwnerName, Email: req.OwnerEmail, Role: RoleOwner,
			CreatedAt: t.now, UpdatedAt: t.now, Password: &pw}
		t.actor.UserID = userID
		if err := t.put(keyAccount, acct); err != nil {
			return err
		}
		if err := t.put(idKey(prefixUser, userID), owner); err != nil {
			return err
		}
		if err := t.log(ResourceAccount, acctID, EventAccountCreated, fmt.Sprintf("Created the account %s", acct.Name)); err != nil {
			return err
		}
		return t.log(ResourceUser, userID, EventUserAdded, fmt.Sprintf("Added %s (%s) to the team as Owner", owner.Name, owner.Email))
	})
	if err != nil {
		return Account{}, User{}, err
	}
	u := &userEntry{rec: owner}
	return acct.account(), u.user(), nil
}

// SetAPIEnabled turns the REST API on or off. Turning it on issues a new
// account key (any earlier one stops working); turning it off forgets the
// key, and every request is refused until it is turned on again. Asking for
// the state the API is already in changes nothing.
func (s *Store) SetAPIEnabled(actor Actor, enabled bool) (Account, error) {
	return s.setAPIEnabled(actor, enabled, false)
}

// EnableAPIWithNewSealKey enables the API with a seal key made anew in
// the seal key file, which must not exist: for when the account's seal
// key is lost (restored without it, the file deleted everywhere). Every
// machine that uses the account then needs a copy of the new file.
func (s *Store) EnableAPIWithNewSealKey(actor Actor) (Account, error) {
	return s.setAPIEnabled(actor, true, true)
}

func (s *Store) setAPIEnabled(actor Actor, enabled, newSealKey bool) (Account, error) {
	var out Account
	// The seal key is read, or made, once: a change runs again when
	// another process committed first, and must then find the file it
	// made as its own, not as one already there.
	var seal []byte
	made := false
	err := s.change(actor, func(t *tx) error {
		if s.ix.account == nil {
			return errNotInitialized
		}
		rec := *s.ix.account
		out = rec.account()
		if rec.APIEnabled == enabled {
			return nil
		}
		rec.APIEnabled, rec.UpdatedAt, rec.SealedKey = enabled, t.now, nil
		event, desc := EventAPIDisabled, "Disabled the REST API; the account key was revoked"
		if enabled {
			key, err := NewAccountKey()
			if err != nil {
				return err
			}
			if seal == nil {
				if seal, made, err = s.sealKeyToEnable(&rec, newSealKey); err != nil {
					return err
				}
			} else if s.shared() && !newSealKey && !rec.sealedWith(seal) {
				return Errorf(EConflict, "Another machine gave the account another seal key meanwhile: copy its seal key file to %s, then enable the API.", s.opts.SealKeyFile)
			}
			if rec.SealedKey, err = sealAccountKey(seal, rec.ID, key); err != nil {
				return err
			}
			rec.SealKeyID = sealKeyID(seal)
			event, desc = EventAPIEnabled, "Enabled the REST API and issued a new account key"
		}
		if err := t.put(keyAccount, rec); err != nil {
			return err
		}
		out = rec.account()
		return t.log(ResourceAccount, rec.ID, event, desc)
	})
	if err != nil && made {
		// No account key is sealed with the file this call made.
		os.Remove(s.opts.SealKeyFile)
	}
	return out, err
}

// AccountKeyUse says why the account key is read, for the system log.
type AccountKeyUse int

// The uses of the account key that are logged.
const (
	ShowAccountKey AccountKeyUse = iota // displayed on screen or printed
	CopyAccountKey                      // put on the clipboard
)

// AccountKeyReadable reports whether the store's account key, when it has
// one, can be read with its seal key.
func (s *Store) AccountKeyReadable() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.accountKeyErr == nil
}

// AccountKey returns the account key to an Owner and logs that it was shown
// or copied.
func (s *Store) AccountKey(actor Actor, use AccountKeyUse) (string, error) {
	var key string
	err := s.change(actor, func(t *tx) error {
		acct := s.ix.account
		switch {
		case acct == nil:
			return errNotInitialized
		case !acct.APIEnabled:
			return Errorf(EConflict, "The REST API is disabled, so there is no account key: enable the API first.")
		case s.ix.accountKeyErr != nil:
			return s.ix.accountKeyErr
		}
		key = s.ix.accountKey
		event, desc := EventAccountKeyShown, "Showed the account key"
		if use == CopyAccountKey {
			event, desc = EventAccountKeyCopied, "Copied the account key"
		}
		return t.log(ResourceAccount, acct.ID, event, desc)
	})
	return key, err
}
