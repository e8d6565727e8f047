package data

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes: the small vocabulary every caller maps to its own terms (the
// CLI to exit statuses, the REST API to HTTP status codes, the console to
// dialogs).
const (
	EInvalid         = "invalid"         // the input breaks a rule; the message says which
	ENotFound        = "not_found"       // the named thing does not exist
	EConflict        = "conflict"        // the change clashes with stored data or another process
	EForbidden       = "forbidden"       // the caller is known but may not do this
	EUnauthenticated = "unauthenticated" // the credentials are missing, malformed or unknown
	EInternal        = "internal"        // the store failed; the message names the operation
	EUnavailable     = "unavailable"     // the storage failed under a running store: changes are refused until it is opened again
)

// Error is the error type of package data. Message is written for a person:
// it says what went wrong and, where it can, what to do instead. It never
// contains a secret.
type Error struct {
	Code    string
	Message string
	Err     error // the underlying cause, if any; never shown by itself
}

func (e *Error) Error() string { return Redact(e.Message) }

// Unwrap returns the cause so that errors.Is and errors.As see through.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal when err is not an *Error and
// "" when err is nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of err fit to show a person, with any
// key in it reduced to its hint (see Redact).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return Redact(e.Message)
	}
	return Redact("Internal error: " + err.Error())
}

// Sentence returns msg ending with a full stop, for a message that goes
// on after it.
func Sentence(msg string) string {
	if strings.HasSuffix(msg, ".") {
		return msg
	}
	return msg + "."
}

// storageError reports a failure of the underlying store while doing op.
func storageError(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: EInternal, Message: "Could not " + op + ": " + err.Error(), Err: err}
}

// Causes of EConflict errors that callers tell apart with errors.Is.
var (
	ErrLastOwner = errors.New("last owner")
	ErrOwnRole   = errors.New("own role")
	ErrOwnUser   = errors.New("own user")
)

// ErrInUse is the cause of the error Open returns when another process holds
// the data directory. Test for it with errors.Is.
var ErrInUse = errors.New("data directory in use")

// Causes of storage errors that callers tell apart with errors.Is.
var (
	// ErrDamaged: the stored data is damaged or incomplete; it was left as
	// it was, for a restore.
	ErrDamaged = errors.New("the data is damaged")
	// ErrFull: there is no room to write; nothing was written.
	ErrFull = errors.New("the disk is full")
	// ErrFailed: the storage failed under a running store, which then
	// refuses changes until it is opened again.
	ErrFailed = errors.New("the storage failed")
	// ErrUnreachable: a shared store cannot be reached for now (a network
	// or server outage); the operation did not happen, and the next may.
	ErrUnreachable = errors.New("the shared store is unreachable")
)
