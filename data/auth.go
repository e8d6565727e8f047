package data

import (
	"crypto/subtle"
	"net/netip"

	"github.com/google/uuid"
)

// Principal is who an authenticated REST API request acts for.
type Principal struct {
	UserID    int64
	UserName  string
	UserEmail string
	Role      Role
	KeyID     uuid.UUID
	KeyName   string
}

// Actor returns the actor for changes made with this key: the key's user,
// with the key's name for the system log.
func (p Principal) Actor() Actor {
	return Actor{UserID: p.UserID, Name: p.UserName, Role: p.Role, APIKeyName: p.KeyName}
}

// The answers of Authenticate. They are values so that refusing a request
// costs no allocation. Each EUnauthenticated one is a 401 to the REST API,
// the EForbidden one a 403.
var (
	ErrMissingAccountKey = &Error{Code: EUnauthenticated, Message: "The x-api-key header is missing: send the account key shown on the API Keys tab."}
	ErrMissingUserKey    = &Error{Code: EUnauthenticated, Message: "The x-api-secret-key header is missing: send an API user key."}
	ErrAPIDisabled       = &Error{Code: EUnauthenticated, Message: "The REST API of this account is disabled: an Owner can enable it on the API Keys tab."}
	ErrWrongAccountKey   = &Error{Code: EUnauthenticated, Message: "The x-api-key header is not this account's key."}
	ErrUnknownUserKey    = &Error{Code: EUnauthenticated, Message: "The x-api-secret-key header is not a key of this account: it may have been deleted."}
	ErrInactiveUserKey   = &Error{Code: EUnauthenticated, Message: "This API user key is inactive: its user's role can no longer use API keys; ask an Owner to give the user a role that can, or to create a key for another user."}
	ErrDisabledUserKey   = &Error{Code: EUnauthenticated, Message: "This API user key is disabled: ask an Owner to enable it."}
	ErrExpiredUserKey    = &Error{Code: EUnauthenticated, Message: "This API user key has expired: ask an Owner to extend its expiry, or to create a new key."}
	ErrRolledUserKey     = &Error{Code: EUnauthenticated, Message: "This is the old value of an API user key that was rolled, and its grace period has ended: use the key's new value."}
	ErrSourceNotAllowed  = &Error{Code: EForbidden, Message: "This API user key may not be used from this address: an Owner can add it to the key's CIDR allow list."}
)

// Authenticate checks a REST request's credentials: the x-api-key and
// x-api-secret-key header values and the client's address. It returns the
// principal, or one of the Err values above: EUnauthenticated for missing,
// malformed or unknown credentials, for a key that is not active (see
// KeyStatus), for a rolled key's previous value after its grace period,
// and for a disabled API,
// EForbidden when the key is good but the address is not in its allow list.
//
// The order is cheapest first: form and checksum, then the account key
// (compared in constant time), the hash look-up, the role and the allow
// list. A rolled key's previous value is found, while its grace period
// runs, as the key itself. A successful check allocates nothing; it records the key's
// last-used time and address, which reach the disk within FlushInterval.
func (s *Store) Authenticate(accountKey, userKey string, client netip.Addr) (Principal, error) {
	if accountKey == "" {
		return Principal{}, ErrMissingAccountKey
	}
	if userKey == "" {
		return Principal{}, ErrMissingUserKey
	}
	if err := CheckAccountKeyFormat(accountKey); err != nil {
		return Principal{}, err
	}
	if err := CheckUserKeyFormat(userKey); err != nil {
		return Principal{}, err
	}
	hash := HashKey(userKey)

	s.mu.RLock()
	acct := s.ix.account
	if acct == nil || !acct.APIEnabled {
		s.mu.RUnlock()
		return Principal{}, ErrAPIDisabled
	}
	if len(s.ix.accountKey) != len(accountKey) ||
		subtle.ConstantTimeCompare(stringBytes(accountKey), stringBytes(s.ix.accountKey)) != 1 {
		s.mu.RUnlock()
		return Principal{}, ErrWrongAccountKey
	}
	now := s.opts.Now()
	k := s.ix.hashes.get(hash)
	if k == nil {
		k = s.ix.previousValue(hash)
		if k == nil {
			s.mu.RUnlock()
			return Principal{}, ErrUnknownUserKey
		}
		if !now.Before(k.life.prevUntil) {
			s.mu.RUnlock()
			return Principal{}, ErrRolledUserKey
		}
	}
	if err := k.status(now).authError(); err != nil {
		s.mu.RUnlock()
		return Principal{}, err
	}
	u := k.user
	allowed := k.allowList().Allows(client)
	p := Principal{UserID: u.rec.ID, UserName: u.rec.Name, UserEmail: u.rec.Email, Role: u.rec.Role, KeyID: k.id, KeyName: k.name()}
	// Under the read lock, so that a reload of the index cannot drop it.
	k.recordUse(now, client, allowed)
	s.mu.RUnlock()

	if !s.lastUsedDirty.Load() { // a load keeps the shared cache line clean
		s.lastUsedDirty.Store(true)
	}
	if !allowed {
		return Principal{}, ErrSourceNotAllowed
	}
	return p, nil
}
