package backendtest

import "keyward/data"

// Halting wraps b so that it commits the first commits batches and fails
// every later one with a storage failure, as a process killed or a disk
// filled in the middle of a long operation (a restore) would leave it.
func Halting(b data.Backend, commits int) data.Backend {
	return &halting{Backend: b, left: commits}
}

type halting struct {
	data.Backend
	left int
}

func (h *halting) Commit(expect data.Rev, ops []data.Op) (data.Rev, error) {
	if h.left--; h.left < 0 {
		return 0, &data.Error{Code: data.EInternal, Err: data.ErrFailed, Message: "The process was stopped."}
	}
	return h.Backend.Commit(expect, ops)
}
