package badger

import (
	"sync"

	"keyward/data"
)

// Badger keeps no history of commits, but the directory lock makes this
// Backend the maker of every one: Commit queues each batch for every watch
// as it commits it, and one goroutine per watch delivers them.

// maxQueue bounds the batches waiting for a slow watcher. Past it they give
// way to one Reset: the watcher reads the records again instead of the
// Backend holding every batch for it.
const maxQueue = 1000

// watch is one Watch: the batches waiting, which the Backend's mu guards,
// and the goroutine delivering them.
type watch struct {
	b       *Backend
	fn      func(data.Commit)
	queue   []data.Commit
	wake    chan struct{} // holds a token when the queue has grown
	stopped chan struct{} // closed by stop
	done    chan struct{} // closed when the goroutine has returned
	once    sync.Once
}

// Watch calls fn with every batch this Backend commits after revision
// from. The Backend keeps no past batches: if from is not the current
// revision, Watch first delivers a Reset at the current one, as it does
// when fn falls more than 1,000 batches behind. The batches' ops are
// shared by every watcher and must not be modified. fn must not call stop
// or Close, which wait for it.
func (b *Backend) Watch(from data.Rev, fn func(data.Commit)) (stop func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed
	}
	w := &watch{b: b, fn: fn, wake: make(chan struct{}, 1), stopped: make(chan struct{}), done: make(chan struct{})}
	if from != b.rev {
		w.push(data.Commit{Rev: b.rev, Reset: true})
	}
	b.watches[w] = struct{}{}
	go w.run()
	return w.stop, nil
}

// push queues c for delivery. The caller holds the Backend's mu.
func (w *watch) push(c data.Commit) {
	if len(w.queue) < maxQueue {
		w.queue = append(w.queue, c)
	} else {
		w.queue = []data.Commit{{Rev: c.Rev, Reset: true}}
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// pop takes the next batch to deliver; it reports false when there is none
// or the watch is stopped.
func (w *watch) pop() (data.Commit, bool) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	select {
	case <-w.stopped:
		return data.Commit{}, false
	default:
	}
	if len(w.queue) == 0 {
		return data.Commit{}, false
	}
	c := w.queue[0]
	w.queue[0] = data.Commit{} // let the batch go once delivered
	w.queue = w.queue[1:]
	return c, true
}

func (w *watch) run() {
	defer close(w.done)
	for {
		select {
		case <-w.stopped:
			return
		case <-w.wake:
		}
		for c, ok := w.pop(); ok; c, ok = w.pop() {
			w.fn(c)
		}
	}
}

// stop ends the watch and waits for a call of fn in progress.
func (w *watch) stop() {
	w.once.Do(func() {
		w.b.mu.Lock()
		close(w.stopped)
		delete(w.b.watches, w)
		w.b.mu.Unlock()
	})
	<-w.done
}
