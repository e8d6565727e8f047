package data

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// MaxKeysPerUser bounds the keys of one user, so that deleting a user and
// all their keys always fits in one transaction.
const MaxKeysPerUser = 1000

// CreateUserKey creates an API user key named name for the user with id
// userID and returns it with its value. The value is returned this once:
// the store keeps only its SHA-256 and a hint.
func (s *Store) CreateUserKey(actor Actor, name string, userID int64) (UserKey, string, error) {
	return s.createUserKey(actor, NewKey{Name: name, UserID: userID})
}

func (s *Store) createUserKey(actor Actor, nk NewKey) (UserKey, string, error) {
	name, userID := nk.Name, nk.UserID
	nk.ExpiresAt = nk.ExpiresAt.UTC().Round(0)
	if err := ValidateKeyName(name); err != nil {
		return UserKey{}, "", err
	}
	secret, err := NewUserKey()
	if err != nil {
		return UserKey{}, "", err
	}
	hash := HashKey(secret)
	var out UserKey
	err = s.change(actor, func(t *tx) error {
		u, err := s.ix.user(userID)
		if err != nil {
			return err
		}
		if !u.rec.Role.CanOwnKeys() {
			return Errorf(EInvalid, "%s is a %s: only Owner, Viewer and Logs Viewer users can own API user keys.", u.rec.Name, u.rec.Role)
		}
		if u.keys >= MaxKeysPerUser {
			return Errorf(EConflict, "%s already owns %d API user keys, the most one user can own: delete keys that are no longer used first.", u.rec.Name, MaxKeysPerUser)
		}
		if other := s.ix.keyByName(name); other != nil {
			return Errorf(EConflict, "%s", nameTaken(other))
		}
		id, err := uuid.NewRandom()
		if err != nil {
			return storageError("generate a key id", err)
		}
		if err := checkExpiry(nk.ExpiresAt, t.now); err != nil {
			return err
		}
		k := &keyEntry{id: id, hash: hash, createdBy: t.actor.Name, userID: userID, user: u}
		k.setText(KeyHint(secret), name)
		k.life = (&keyLife{expiresAt: nk.ExpiresAt, description: nk.Description}).normal()
		k.setCreatedAt(t.now)
		if err := t.put(uuidKey(prefixKey, id), k.record()); err != nil {
			return err
		}
		out = k.userKey(t.now)
		desc := fmt.Sprintf("Created API user key %s for %s (%s)", name, u.rec.Name, u.rec.Email)
		if !nk.ExpiresAt.IsZero() {
			desc += "; it expires " + FormatTime(nk.ExpiresAt)
		}
		return t.log(ResourceKey, userID, EventKeyCreated, desc)
	})
	if err != nil {
		return UserKey{}, "", err
	}
	return out, secret, nil
}

// DeleteUserKey deletes a key. Requests made with it fail from the moment
// the deletion is saved.
func (s *Store) DeleteUserKey(actor Actor, id uuid.UUID) error {
	return s.DeleteUserKeys(actor, []uuid.UUID{id})
}

// MaxBulkKeys bounds the keys one bulk change (DeleteUserKeys,
// DisableUserKeys) takes, so that it fits in one transaction, as a user
// with all their keys does.
const MaxBulkKeys = MaxKeysPerUser

// DeleteUserKeys deletes several keys in one transaction, each with its
// log entry: all of them, or none if one is gone meanwhile.
func (s *Store) DeleteUserKeys(actor Actor, ids []uuid.UUID) error {
	if len(ids) > MaxBulkKeys {
		return Errorf(EInvalid, "At most %d keys can be deleted at once; %d were chosen.", MaxBulkKeys, len(ids))
	}
	return s.change(actor, func(t *tx) error {
		keys, err := s.ix.keysOnce(ids)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := t.deleteKey(k.id, k, "Deleted "+keyOf(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteKey removes a key's records and logs it; shared by DeleteUserKey
// and DeleteUser.
func (t *tx) deleteKey(id uuid.UUID, k *keyEntry, description string) error {
	t.del(uuidKey(prefixKey, id))
	t.del(uuidKey(prefixLastUsed, id))
	return t.log(ResourceKey, k.userID, EventKeyDeleted, description)
}

// AddCIDRRule adds a rule, typed as input (see ParseCIDR), to a key's allow
// list.
func (s *Store) AddCIDRRule(actor Actor, keyID uuid.UUID, input string) (CIDRRule, error) {
	p, err := ParseCIDR(input)
	if err != nil {
		return CIDRRule{}, err
	}
	var rule CIDRRule
	err = s.changeAllowList(actor, keyID, func(t *tx, k *keyEntry, l AllowList) (AllowList, string, string, error) {
		if l.Find(p) >= 0 {
			return nil, "", "", Errorf(EConflict, "%s is already in the allow list of %s.", p, k.name())
		}
		if len(l) >= MaxCIDRRules {
			return nil, "", "", Errorf(EInvalid, "The allow list of %s already has %d rules, the most it can hold: remove one first, or cover several addresses with a shorter prefix.", k.name(), MaxCIDRRules)
		}
		id, err := uuid.NewRandom()
		if err != nil {
			return nil, "", "", storageError("generate a rule id", err)
		}
		rule = CIDRRule{ID: id, Prefix: p, CreatedAt: t.now, UpdatedAt: t.now}
		return append(l, rule), EventCIDRRuleAdded, fmt.Sprintf("Added CIDR rule %s to the allow list of API user key %s", p, k.name()), nil
	})
	return rule, err
}

// EditCIDRRule replaces the prefix of one rule of a key's allow list.
func (s *Store) EditCIDRRule(actor Actor, keyID, ruleID uuid.UUID, input string) (CIDRRule, error) {
	p, err := ParseCIDR(input)
	if err != nil {
		return CIDRRule{}, err
	}
	var rule CIDRRule
	err = s.changeAllowList(actor, keyID, func(t *tx, k *keyEntry, l AllowList) (AllowList, string, string, error) {
		i, err := ruleIndex(k, l, ruleID)
		if err != nil {
			return nil, "", "", err
		}
		old := l[i].Prefix
		rule = l[i]
		if old == p {
			return nil, "", "", nil
		}
		if l.Find(p) >= 0 {
			return nil, "", "", Errorf(EConflict, "%s is already in the allow list of %s.", p, k.name())
		}
		rule.Prefix, rule.UpdatedAt = p, t.now
		l[i] = rule
		return l, EventCIDRRuleEdited, fmt.Sprintf("Changed CIDR rule %s to %s in the allow list of API user key %s", old, p, k.name()), nil
	})
	return rule, err
}

// DeleteCIDRRule removes one rule from a key's allow list. When the last
// rule goes, the key is allowed from every address again.
func (s *Store) DeleteCIDRRule(actor Actor, keyID, ruleID uuid.UUID) error {
	return s.changeAllowList(actor, keyID, func(t *tx, k *keyEntry, l AllowList) (AllowList, string, string, error) {
		i, err := ruleIndex(k, l, ruleID)
		if err != nil {
			return nil, "", "", err
		}
		desc := fmt.Sprintf("Deleted CIDR rule %s from the allow list of API user key %s", l[i].Prefix, k.name())
		if len(l) == 1 {
			desc += "; the key is now allowed from every address"
		}
		return slices.Delete(l, i, i+1), EventCIDRRuleDeleted, desc, nil
	})
}

// ruleIndex returns where the rule with id ruleID is in l, k's allow list,
// or an ENotFound error.
func ruleIndex(k *keyEntry, l AllowList, ruleID uuid.UUID) (int, error) {
	i := slices.IndexFunc(l, func(r CIDRRule) bool { return r.ID == ruleID })
	if i < 0 {
		return -1, Errorf(ENotFound, "The allow list of %s has no such rule (it may have been deleted meanwhile).", k.name())
	}
	return i, nil
}

// changeAllowList runs edit on a copy of a key's allow list and saves the
// list it returns, with a log entry of the given event and description. An
// edit that returns no event changes nothing.
func (s *Store) changeAllowList(actor Actor, keyID uuid.UUID,
	edit func(t *tx, k *keyEntry, l AllowList) (AllowList, string, string, error)) error {
	return s.change(actor, func(t *tx) error {
		k, err := s.ix.key(keyID)
		if err != nil {
			return err
		}
		l, event, desc, err := edit(t, k, slices.Clone(k.allowList()))
		if err != nil || event == "" {
			return err
		}
		if err := l.Validate(); err != nil {
			return err
		}
		rec := k.record()
		rec.Rules = rulesRecord(l)
		if err := t.put(uuidKey(prefixKey, keyID), rec); err != nil {
			return err
		}
		return t.log(ResourceKey, k.userID, event, desc)
	})
}

// nameTaken says that other already has the name a new key asked for.
func nameTaken(other *keyEntry) string {
	return fmt.Sprintf("An API user key named %s already exists (names are compared regardless of case): choose another name.", other.name())
}

// NewKeyNameProblems lists what is wrong with name as the name of a new
// key: the rules of KeyNameProblems, and a key that already has it. The
// console shows them under the field as the name is typed; creating the
// key checks them again.
func (s *Store) NewKeyNameProblems(name string) []string {
	problems := KeyNameProblems(name)
	if len(problems) > 0 {
		return problems
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if other := s.ix.keyByName(name); other != nil {
		return []string{nameTaken(other)}
	}
	return nil
}
