// Package redis keeps a Keyward account in a shared Redis (7 or newer,
// standalone, Sentinel or Cluster): the data.Backend of every console,
// command and `keyward serve` given --store URL, on any number of machines
// at once.
//
// A Backend owns one go-redis UniversalClient; Redis's errors are mapped
// to data's at this boundary, so no client type leaks out. The account's
// keys are laid out in layout.go. Commits are optimistic: WATCH of the
// revision, then one MULTI/EXEC that writes the batch, raises the revision
// and appends the batch to the account's change feed, a stream that the
// watches of every process read and that lets a scan see one state of the
// records across pages.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"keyward/data"
)

// Options tune a Backend; the zero value is right for the application.
type Options struct {
	// Logf receives what the Backend has to say while it runs: that the
	// store became unreachable, and reachable again, while it followed its
	// changes. Nil discards it.
	Logf func(format string, args ...any)
}

// Backend is a data.Backend on one account of a Redis server, Sentinel
// group or Cluster.
type Backend struct {
	addr   Address
	keys   layout
	client goredis.UniversalClient
	logf   func(string, ...any)

	// mu guards what follows.
	mu      sync.Mutex
	closed  bool
	watches map[*watch]struct{}
	// active counts the calls in progress, which Close waits for.
	active sync.WaitGroup
	// readers counts the watches' goroutines, which Close waits for once
	// the client is closed under them.
	readers sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

var _ data.Backend = (*Backend)(nil)

// The client's own log, which go-redis writes to stderr, would repeat every
// failed dial of an outage; the Backend says what matters itself, once,
// through its errors and Options.Logf.
func init() { goredis.SetLogger(silent{}) }

type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}

// minVersion is the oldest Redis the layout and commands are written for.
const minVersion = 7

// Open connects to the store rawURL names (see ParseURL) and checks that
// the server answers and is Redis 7 or newer. A server that cannot be
// reached is an error wrapping data.ErrUnreachable within five seconds.
// The account needs no creating: one that was never written is empty, at
// revision 0.
func Open(rawURL string, opts Options) (*Backend, error) {
	addr, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := addr.opts // NewUniversalClient may fill in defaults
	b := &Backend{
		addr:    addr,
		keys:    newLayout(addr.Account),
		client:  goredis.NewUniversalClient(&o),
		logf:    opts.Logf,
		watches: map[*watch]struct{}{},
	}
	if err := b.checkServer(); err != nil {
		b.client.Close()
		return nil, err
	}
	return b, nil
}

// checkServer asks the server its version.
func (b *Backend) checkServer() error {
	info, err := b.client.Info(context.Background(), "server").Result()
	if err != nil {
		return b.failed("check the server's version", err)
	}
	for line := range strings.Lines(info) {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err == nil && n < minVersion {
			return data.Errorf(data.EInvalid, "The shared store at %s runs Redis %s; Keyward needs Redis %d or newer.", b.addr, v, minVersion)
		}
	}
	return nil
}

// Location returns the store's URL without its password, and the account.
func (b *Backend) Location() string { return b.addr.String() }

// Shared tells data that several machines use the store at once.
func (b *Backend) Shared() bool { return true }

// Close stops the watches, waits for the calls in progress and closes the
// client. It is safe to call more than once. It must not be called from a
// Scan's or a watch's fn, which it would wait for.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		watches := b.watches
		b.watches = nil
		b.mu.Unlock()
		for w := range watches {
			w.stop()
		}
		b.active.Wait()
		err := b.client.Close() // ends the watches' blocking reads
		b.readers.Wait()
		if err != nil && !errors.Is(err, goredis.ErrClosed) {
			b.closeErr = &data.Error{Code: data.EInternal, Message: fmt.Sprintf("Could not close the connection to the shared store at %s: %v", b.addr, err), Err: err}
		}
	})
	return b.closeErr
}

// enter registers a call in progress, or refuses it once Close has begun;
// leave ends it.
func (b *Backend) enter() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	b.active.Add(1)
	return nil
}

func (b *Backend) leave() { b.active.Done() }

func (b *Backend) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

var (
	errClosed   = &data.Error{Code: data.EInternal, Message: "The data store is closed.", Err: data.ErrClosed}
	errConflict = &data.Error{Code: data.EConflict, Message: "The data changed meanwhile; try again.", Err: data.ErrConflict}
	errTooLarge = &data.Error{Code: data.EInvalid, Message: "This change touches too many records to be saved at once.", Err: data.ErrTooLarge}
)

// failed maps an error of the client, met while doing op, to data's terms:
// a server or network that does not answer for now is data.ErrUnreachable;
// what the server refuses says why. nil stays nil.
func (b *Backend) failed(op string, err error) error {
	var redisErr goredis.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, goredis.ErrClosed) && b.isClosed():
		return errClosed
	case goredis.IsAuthError(err):
		return &data.Error{Code: data.EInvalid, Err: err, Message: fmt.Sprintf(
			"The shared store at %s refused the user name or password of the store URL (%s): check them.", b.addr, firstLine(err))}
	case goredis.IsPermissionError(err):
		return &data.Error{Code: data.EInvalid, Err: err, Message: fmt.Sprintf(
			"The Redis user of the store URL may not %s in the shared store at %s (%s): give it the commands Keyward uses.", op, b.addr, firstLine(err))}
	case goredis.IsOOMError(err):
		return &data.Error{Code: data.EInternal, Err: errors.Join(data.ErrFull, err), Message: fmt.Sprintf(
			"The shared store at %s is out of memory (its maxmemory is reached): nothing was saved. Give Redis more memory.", b.addr)}
	case goredis.IsLoadingError(err), goredis.IsReadOnlyError(err), goredis.IsMasterDownError(err),
		goredis.IsClusterDownError(err), goredis.IsTryAgainError(err), goredis.IsMaxClientsError(err):
		return b.unreachable(err) // the server is starting, failing over or full of clients
	case goredis.HasErrorPrefix(err, "WRONGTYPE"):
		return damaged(b.addr, err)
	case errors.As(err, &redisErr):
		return &data.Error{Code: data.EInternal, Err: err, Message: fmt.Sprintf(
			"Could not %s: the shared store at %s answered %s", op, b.addr, firstLine(err))}
	}
	return b.unreachable(err) // the network, a timeout, a closed connection
}

func (b *Backend) unreachable(err error) error {
	return &data.Error{Code: data.EUnavailable, Err: errors.Join(data.ErrUnreachable, err), Message: fmt.Sprintf(
		"The shared store at %s is unreachable: %s", b.addr, firstLine(err))}
}

// damaged reports keys of the account that hold what Keyward did not
// write there.
func damaged(addr Address, err error) error {
	return &data.Error{Code: data.EInternal, Err: errors.Join(data.ErrDamaged, err), Message: fmt.Sprintf(
		"The shared store at %s holds something under keyward:{%s}: that Keyward did not write (%s). Restore the account from a backup into a new account.", addr, addr.Account, firstLine(err))}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return s
}
