package data

import (
	"bytes"
	"io"
	"runtime"
)

// WriteChunks writes chunks pieces of output to w in order, fill(c, b)
// making piece c in b. The pieces are made a core at a time, at most a
// few ahead of the writing, in buffers used again: fresh memory, zeroed,
// costs more than the making. After the first error, of fill or of w,
// nothing more is written, and WriteChunks returns it.
func WriteChunks(w io.Writer, chunks int, fill func(c int, b *bytes.Buffer) error) error {
	type piece struct {
		buf bytes.Buffer
		err error
	}
	results := make([]chan *piece, chunks)
	for c := range results {
		results[c] = make(chan *piece, 1)
	}
	free := make(chan *piece, 4)
	for range cap(free) {
		free <- new(piece)
	}
	next := make(chan int)
	go func() {
		for c := range chunks {
			next <- c
		}
		close(next)
	}()
	for range min(runtime.GOMAXPROCS(0), chunks) {
		go func() {
			// A buffer first, then the next piece: the earliest piece not
			// yet written always has a buffer, so the writer never waits
			// on a piece that waits for a buffer.
			for p := range free {
				c, ok := <-next
				if !ok {
					return
				}
				p.buf.Reset()
				p.err = fill(c, &p.buf)
				results[c] <- p
			}
		}()
	}
	var err error
	for _, r := range results {
		p := <-r
		if err == nil {
			err = p.err
		}
		if err == nil {
			_, err = w.Write(p.buf.Bytes())
		}
		free <- p
	}
	return err
}
