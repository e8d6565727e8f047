package data

import (
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Account is the one account of a data directory.
type Account struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	APIEnabled bool
}

// User is a member of the account's team.
type User struct {
	ID          int64
	Name        string
	Email       string
	Role        Role
	CreatedAt   time.Time
	UpdatedAt   time.Time
	HasPassword bool // whether the user can sign in to the console
	KeyCount    int  // how many user keys the user owns
}

// UserKey is an API user key as the store keeps it: everything but its
// value, of which only a hash and a hint remain.
type UserKey struct {
	ID           uuid.UUID
	Name         string
	UserID       int64
	UserName     string
	UserEmail    string
	Status       KeyStatus
	Hint         string // prefix and last four characters, "kwu_…a1B2"
	CreatedAt    time.Time
	CreatedBy    string
	LastUsedAt   time.Time  // zero if never used
	LastUsedFrom netip.Addr // the client address of the last authenticated request
	// The latest request with this key that its allow list refused.
	LastRefusedAt   time.Time
	LastRefusedFrom netip.Addr
	AllowList       AllowList

	// The lifecycle: zero values for a key that never expires, is
	// enabled and was not rolled.
	ExpiresAt   time.Time // when it expires; zero: never
	DisabledAt  time.Time // when it was disabled, while it is
	DisabledBy  string    // who disabled it, while it is
	GraceUntil  time.Time // when its previous value stops working, while it still works
	Description string    // what uses it
}

// UnusedSince returns when the key was last used or, if it never was,
// when it was created: what "not used for N days" counts from.
func (k UserKey) UnusedSince() time.Time {
	if k.LastUsedAt.IsZero() {
		return k.CreatedAt
	}
	return k.LastUsedAt
}

// UnusedFor reports whether the key has not been used for d at now (a key
// never used counts from its creation).
func (k UserKey) UnusedFor(d time.Duration, now time.Time) bool {
	return !k.UnusedSince().After(now.Add(-d))
}

// ExpiresWithin reports whether the key expires within d of now, and has
// not yet: the console's "expiring soon".
func (k UserKey) ExpiresWithin(d time.Duration, now time.Time) bool {
	return !k.ExpiresAt.IsZero() && k.ExpiresAt.After(now) && !k.ExpiresAt.After(now.Add(d))
}

// LastSeenFrom returns the address of the latest request made with the key,
// whether its allow list let it through or not, and whether there was one:
// the console offers it as a one-click rule.
func (k UserKey) LastSeenFrom() (netip.Addr, bool) {
	if k.LastRefusedAt.After(k.LastUsedAt) {
		return k.LastRefusedFrom, k.LastRefusedFrom.IsValid()
	}
	return k.LastUsedFrom, k.LastUsedFrom.IsValid()
}

// SystemLogEntry is one entry of the account's system log, with the fields
// (and JSON names) of Redis Cloud's.
type SystemLogEntry struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Originator  string    `json:"originator"`           // the user who made the change
	APIKeyName  string    `json:"apiKeyName,omitempty"` // the key used, for changes made through the REST API
	Resource    string    `json:"resource"`             // what kind of thing changed: ResourceAccount, ResourceUser, ResourceKey
	ResourceID  int64     `json:"resourceId"`           // the account id, or the id of the user the change concerns
	Type        string    `json:"type"`                 // what happened, one of the Event constants
	Description string    `json:"description"`
}

// SessionLogEntry is one sign-in attempt to the console, with the fields
// (and JSON names) of Redis Cloud's session log.
type SessionLogEntry struct {
	ID        int64     `json:"id,string"` // Redis Cloud sends session-log ids as strings
	Time      time.Time `json:"time"`
	User      string    `json:"user"` // the email that was entered
	UserAgent string    `json:"userAgent"`
	IPAddress string    `json:"ipAddress"`
	UserRole  string    `json:"userRole"` // empty when the sign-in failed
	Type      string    `json:"type"`     // EventSignIn
	Action    string    `json:"action"`   // what came of it, "succeeded" or why it failed
}

// Resources named in the system log.
const (
	ResourceAccount = "Account"
	ResourceUser    = "User"
	ResourceKey     = "API key"
)

// Events written to the system and session logs.
const (
	EventAccountCreated     = "account-created"
	EventAPIEnabled         = "api-enabled"
	EventAPIDisabled        = "api-disabled"
	EventAccountKeyShown    = "account-key-shown"
	EventAccountKeyCopied   = "account-key-copied"
	EventUserAdded          = "user-added"
	EventUserChanged        = "user-changed"
	EventUserDeleted        = "user-deleted"
	EventKeyCreated         = "user-key-created"
	EventKeyDeleted         = "user-key-deleted"
	EventKeyDisabled        = "user-key-disabled"
	EventKeyEnabled         = "user-key-enabled"
	EventKeyRolled          = "user-key-rolled"
	EventKeyExpiryChanged   = "user-key-expiry-changed"
	EventKeyDescribed       = "user-key-description-changed"
	EventCIDRRuleAdded      = "cidr-rule-added"
	EventCIDRRuleEdited     = "cidr-rule-edited"
	EventCIDRRuleDeleted    = "cidr-rule-deleted"
	EventSettingsChanged    = "settings-changed"
	EventSignIn             = "sign-in"
	SignInSucceeded         = "succeeded"
	SignInFailed            = "failed: wrong email or password"
	SignInRefusedLogsViewer = "refused: Logs Viewer users cannot sign in"
)

// Actor is who makes a change: a signed-in user, a REST API key's user, or
// the command line. Its Role decides what it may change; its Name and
// APIKeyName go into the system log.
type Actor struct {
	UserID     int64 // 0 for the command line
	Name       string
	Role       Role
	APIKeyName string
}

// CommandLine is the actor of changes made with the keyward command: whoever
// can open the data directory controls it.
var CommandLine = Actor{Name: "command line", Role: RoleOwner}

// ActorFor returns the actor for a signed-in user.
func ActorFor(u User) Actor { return Actor{UserID: u.ID, Name: u.Name, Role: u.Role} }

// Bounds of names.
const (
	NameMaxLen  = 100
	EmailMaxLen = 254
)

// ValidateName checks an account or user name; what names the field
// ("account name", "name").
func ValidateName(what, name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case IsKey(strings.TrimSpace(name)):
		return errPastedKey(what)
	case strings.TrimSpace(name) == "":
		return Errorf(EInvalid, "Enter %s %s.", article(what), what)
	case n > NameMaxLen:
		return Errorf(EInvalid, "The %s must be at most %d characters long (it has %d).", what, NameMaxLen, n)
	case !utf8.ValidString(name):
		return Errorf(EInvalid, "The %s is not valid UTF-8 text.", what)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return Errorf(EInvalid, "The %s cannot contain control characters such as tabs or line breaks.", what)
	case name != strings.TrimSpace(name):
		return Errorf(EInvalid, "The %s cannot start or end with a space.", what)
	}
	return nil
}

// ValidateEmail checks that email is a plain address such as
// ada@example.com.
func ValidateEmail(email string) error {
	if strings.TrimSpace(email) == "" {
		return Errorf(EInvalid, "Enter an email address.")
	}
	if IsKey(strings.TrimSpace(email)) {
		return errPastedKey("email address")
	}
	if len(email) > EmailMaxLen {
		return Errorf(EInvalid, "The email address must be at most %d characters long.", EmailMaxLen)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return Errorf(EInvalid, "%s is not an email address: write it as name@example.com, without a display name or angle brackets.", Quote(email))
	}
	return nil
}

// Count writes a number of things for people: "1 key", "10,000 keys",
// "0 keys", with one, the noun in the singular, or many, in the plural.
func Count(n int, one, many string) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if n == 1 {
		return s + " " + one
	}
	return s + " " + many
}

// emailKey is the form in which emails are compared: case-insensitively.
func emailKey(email string) string { return strings.ToLower(email) }

// keyNameKey is the form in which key names are compared: case-insensitively.
func keyNameKey(name string) string { return strings.ToLower(name) }

// article is "an" before a word that starts with a vowel, "a" otherwise:
// "an account name", "a name".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
