package data

import (
	"fmt"
	"strings"
)

// NewUser is a team member to add. Password may be empty: such a user can
// hold API keys but cannot sign in to the console until an Owner sets one.
type NewUser struct {
	Name     string
	Email    string
	Role     Role
	Password string
}

// AddUser adds a member to the team.
func (s *Store) AddUser(actor Actor, req NewUser) (User, error) {
	if err := ValidateName("name", req.Name); err != nil {
		return User{}, err
	}
	if err := ValidateEmail(req.Email); err != nil {
		return User{}, err
	}
	if err := req.Role.Validate(); err != nil {
		return User{}, err
	}
	var pw *PasswordHash
	if req.Password != "" {
		h, err := HashPassword(req.Password)
		if err != nil {
			return User{}, err
		}
		pw = &h
	}
	var out User
	err := s.change(actor, func(t *tx) error {
		if s.ix.account == nil {
			return errNotInitialized
		}
		if other := s.ix.emails[emailKey(req.Email)]; other != nil {
			return Errorf(EConflict, "%s already uses the email %s.", other.rec.Name, other.rec.Email)
		}
		id, err := s.next(seqUser)
		// A sequence never repeats, but one set back (a backup edited
		// by hand) must not hand a new user another's id and keys.
		for err == nil && s.ix.users[id] != nil {
			id, err = s.next(seqUser)
		}
		if err != nil {
			return err
		}
		rec := userRecord{V: recordVersion, ID: id, Name: req.Name, Email: req.Email, Role: req.Role,
			CreatedAt: t.now, UpdatedAt: t.now, Password: pw}
		if err := t.put(idKey(prefixUser, id), rec); err != nil {
			return err
		}
		out = (&userEntry{rec: rec}).user()
		return t.log(ResourceUser, id, EventUserAdded,
			fmt.Sprintf("Added %s (%s) to the team as %s", rec.Name, rec.Email, rec.Role))
	})
	return out, err
}

// UserChange is an edit of a user; nil fields stay as they are.
type UserChange struct {
	Name     *string
	Role     *Role
	Password *string
	// RemovePassword takes the console password away: the user keeps
	// their API keys but can no longer sign in. Nobody can remove their
	// own, nor the last password an Owner signs in with.
	RemovePassword bool
}

// UpdateUser changes a user's name, role or console password. The last
// Owner cannot be demoted, and nobody can change their own role. A user
// demoted to a role that cannot own keys
// keeps them, but they stop authenticating at once.
func (s *Store) UpdateUser(actor Actor, id int64, ch UserChange) (User, error) {
	if ch.Name != nil {
		if err := ValidateName("name", *ch.Name); err != nil {
			return User{}, err
		}
	}
	if ch.Role != nil {
		if err := ch.Role.Validate(); err != nil {
			return User{}, err
		}
	}
	if ch.RemovePassword && ch.Password != nil {
		return User{}, Errorf(EInvalid, "Either set a new console password or remove it, not both.")
	}
	var pw *PasswordHash
	if ch.Password != nil {
		h, err := HashPassword(*ch.Password)
		if err != nil {
			return User{}, err
		}
		pw = &h
	}
	var out User
	err := s.change(actor, func(t *tx) error {
		u, err := s.ix.user(id)
		if err != nil {
			return err
		}
		rec := u.rec
		var what []string
		if ch.Name != nil && *ch.Name != rec.Name {
			what = append(what, fmt.Sprintf("name was changed to %s", *ch.Name))
			rec.Name = *ch.Name
		}
		if ch.Role != nil && *ch.Role != rec.Role {
			if actor.UserID != 0 && actor.UserID == id {
				return &Error{Code: EConflict, Err: ErrOwnRole, Message: "You cannot change your own role: ask another Owner to do it."}
			}
			if rec.Role == RoleOwner && s.ownerCount() == 1 {
				return &Error{Code: EConflict, Err: ErrLastOwner, Message: fmt.Sprintf(
					"%s is the account's last Owner and cannot be given another role: make another user an Owner first.", rec.Name)}
			}
			what = append(what, fmt.Sprintf("role was changed from %s to %s", rec.Role, *ch.Role))
			if n := u.keys; n > 0 && !ch.Role.CanOwnKeys() {
				what[len(what)-1] += fmt.Sprintf(" (%s inactive)", Count(n, "API user key is now", "API user keys are now"))
			}
			rec.Role = *ch.Role
		}
		if pw != nil {
			what = append(what, "console password was changed")
			rec.Password = pw
		}
		if ch.RemovePassword && rec.Password != nil {
			if actor.UserID != 0 && actor.UserID == id {
				return Errorf(EConflict, "You cannot remove your own console password: you would no longer be able to sign in. Ask another Owner to do it.")
			}
			what = append(what, "console password was removed")
			rec.Password = nil
		}
		done := "left without a password"
		if rec.Role != u.rec.Role {
			done = "given another role"
		}
		if err := s.lastSignIn(u.rec, &rec, done); err != nil {
			return err
		}
		out = u.user()
		if len(what) == 0 {
			return nil
		}
		rec.UpdatedAt = t.now
		if err := t.put(idKey(prefixUser, id), rec); err != nil {
			return err
		}
		desc := fmt.Sprintf("%s (%s)'s %s", u.rec.Name, rec.Email, strings.Join(what, "; "))
		out = (&userEntry{rec: rec, keys: u.keys}).user()
		return t.log(ResourceUser, id, EventUserChanged, desc)
	})
	return out, err
}

// lastSignIn refuses a change that would leave no Owner who can sign in
// to the console (before is the user as stored, after as the change would
// leave them, nil when deleted; done says what the change does to them,
// as a past participle): only a signed-in Owner gives console passwords,
// so the console would be locked for good. The caller holds writeMu.
func (s *Store) lastSignIn(before userRecord, after *userRecord, done string) error {
	if !canSignIn(before) || after != nil && canSignIn(*after) {
		return nil
	}
	for id, u := range s.ix.users {
		if id != before.ID && canSignIn(u.rec) {
			return nil
		}
	}
	return &Error{Code: EConflict, Err: ErrLastOwner, Message: fmt.Sprintf(
		"%s is the only Owner who can sign in to the console and cannot be %s: give another Owner a console password first (in the console: Team, Edit, Console password).", before.Name, done)}
}

// canSignIn tells an Owner with a console password.
func canSignIn(rec userRecord) bool { return rec.Role == RoleOwner && rec.Password != nil }

// ownerCount counts the Owners; the caller holds writeMu.
func (s *Store) ownerCount() int {
	n := 0
	for _, u := range s.ix.users {
		if u.rec.Role == RoleOwner {
			n++
		}
	}
	return n
}

// DeleteUser removes a user and every key the user owns, in one
// transaction, and returns how many keys went with the user. The last Owner
// cannot be deleted, and nobody can delete themselves.
func (s *Store) DeleteUser(actor Actor, id int64) (deletedKeys int, err error) {
	err = s.change(actor, func(t *tx) error {
		u, err := s.ix.user(id)
		if err != nil {
			return err
		}
		if actor.UserID != 0 && actor.UserID == id {
			return &Error{Code: EConflict, Err: ErrOwnUser, Message: "You cannot delete your own user: ask another Owner to do it."}
		}
		if u.rec.Role == RoleOwner && s.ownerCount() == 1 {
			return &Error{Code: EConflict, Err: ErrLastOwner, Message: fmt.Sprintf(
				"%s is the account's last Owner and cannot be deleted: make another user an Owner first.", u.rec.Name)}
		}
		if err := s.lastSignIn(u.rec, nil, "deleted"); err != nil {
			return err
		}
		keys := s.ix.keysOf(u)
		for _, k := range keys {
			if err := t.deleteKey(k.id, k, fmt.Sprintf("Deleted API user key %s with its user %s (%s)", k.name(), u.rec.Name, u.rec.Email)); err != nil {
				return err
			}
		}
		t.del(idKey(prefixUser, id))
		deletedKeys = len(keys)
		desc := fmt.Sprintf("Removed %s (%s) from the team", u.rec.Name, u.rec.Email)
		if deletedKeys > 0 {
			desc += fmt.Sprintf(" with %s", Count(deletedKeys, "API user key", "API user keys"))
		}
		return t.log(ResourceUser, id, EventUserDeleted, desc)
	})
	return deletedKeys, err
}

// SessionClient describes where a sign-in comes from, for the session log.
type SessionClient struct {
	UserAgent string
	IPAddress string
}

var (
	errWrongPassword  = &Error{Code: EUnauthenticated, Message: "The email or password is incorrect."}
	errLogsViewerAuth = &Error{Code: EForbidden, Message: "Logs Viewer users use the REST API only and cannot sign in to the console. Ask an Owner for another role."}
)

// SignIn checks a console sign-in and writes it to the session log,
// whatever its outcome. A wrong email and a wrong password get the same
// answer, after the same work.
func (s *Store) SignIn(email, password string, client SessionClient) (User, error) {
	s.mu.RLock()
	u := s.ix.emails[emailKey(strings.TrimSpace(email))]
	var rec userRecord
	if u != nil {
		rec = u.rec
	}
	s.mu.RUnlock()
	hash := dummyPassword
	if rec.Password != nil {
		hash = *rec.Password
	}
	ok := hash.Verify(password) && u != nil && rec.Password != nil
	entry := SessionLogEntry{User: email, UserAgent: client.UserAgent, IPAddress: client.IPAddress,
		Type: EventSignIn, Action: SignInFailed}
	var result error = errWrongPassword
	if ok {
		entry.User, entry.UserRole = rec.Email, string(rec.Role)
		entry.Action, result = SignInSucceeded, nil
		if !rec.Role.CanSignIn() {
			entry.Action, result = SignInRefusedLogsViewer, errLogsViewerAuth
		}
	}
	if err := s.logSession(entry); err != nil {
		return User{}, err
	}
	if result != nil {
		return User{}, result
	}
	return s.User(rec.ID)
}

func (s *Store) logSession(entry SessionLogEntry) error {
	return s.update(Actor{}, func(t *tx) error {
		id, err := s.next(seqLog)
		if err != nil {
			return err
		}
		entry.ID, entry.Time = id, t.now
		return t.put(idKey(prefixSession, id), sessionRecord{V: recordVersion, SessionLogEntry: entry})
	})
}
