package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// table lays rows out in columns under header, two spaces apart, as
// text/tabwriter (minwidth 0, padding 2, spaces) does, and byte for byte
// the same: each cell but the last of a row padded to its column's widest
// cell, counted in runes. It does in one pass over the cells what
// tabwriter does in many, so that `keys list` with 100,000 keys stays well
// under the half second SPEC §6 allows a command. Cells with characters
// tabwriter gives a meaning to go through tabwriter.
func table(header []string, rows [][]string) string {
	widths := make([]int, len(header))
	size := 0
	measure := func(row []string) bool {
		if len(row) != len(header) {
			return false
		}
		for j, cell := range row {
			w, plain := cellWidth(cell)
			if !plain {
				return false
			}
			size += len(cell) + 2
			if j < len(row)-1 {
				widths[j] = max(widths[j], w)
			}
		}
		return true
	}
	ok := measure(header)
	for _, row := range rows {
		ok = ok && measure(row)
	}
	if !ok {
		return tabwriterTable(header, rows)
	}
	var b strings.Builder
	b.Grow(size + len(rows)*2*len(header))
	write := func(row []string) {
		for j, cell := range row {
			b.WriteString(cell)
			if j == len(row)-1 {
				break
			}
			w, _ := cellWidth(cell)
			for range widths[j] + 2 - w {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	write(header)
	for _, row := range rows {
		write(row)
	}
	return b.String()
}

// cellWidth returns how many runes cell has, and whether it has none of
// the characters tabwriter gives a meaning to (\t \n \v \f \r and its
// Escape), in one pass over an ASCII cell.
func cellWidth(cell string) (width int, plain bool) {
	for i := 0; i < len(cell); i++ {
		switch c := cell[i]; {
		case c >= utf8.RuneSelf:
			if strings.IndexByte(cell, tabwriter.Escape) >= 0 || strings.ContainsAny(cell, "\t\n\v\f\r") {
				return 0, false
			}
			return utf8.RuneCountInString(cell), true
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return 0, false
		}
	}
	return len(cell), true
}

// tabwriterTable is table through text/tabwriter.
func tabwriterTable(header []string, rows [][]string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	w.Write([]byte(strings.Join(header, "\t") + "\n"))
	for _, row := range rows {
		w.Write([]byte(strings.Join(row, "\t") + "\n"))
	}
	w.Flush()
	return b.String()
}

// printList prints a list of n items: as JSON with --json, one item(i)
// at a time, byte for byte what print writes of the whole list, so that
// 100,000 keys are never in memory as JSON at once; otherwise as the text
// text returns.
func (r *runner) printList(n int, item func(i int) any, text func() string) error {
	if !r.json {
		return r.print(nil, text())
	}
	w := bufio.NewWriterSize(r.env.Stdout, 64<<10)
	if n == 0 {
		w.WriteString("[]\n")
		return w.Flush()
	}
	w.WriteString("[\n")
	// Encoding takes most of the time: the items are encoded in chunks,
	// a chunk a core at once, and written in order.
	const chunk = 512
	type encoded struct {
		buf bytes.Buffer
		err error
	}
	chunks := (n + chunk - 1) / chunk
	results := make([]chan *encoded, chunks)
	for c := range results {
		results[c] = make(chan *encoded, 1)
	}
	// The workers run at most a few chunks ahead, and reuse their
	// buffers: fresh memory, zeroed, cost more than the encoding.
	free := make(chan *encoded, 4)
	for range cap(free) {
		free <- new(encoded)
	}
	next := make(chan int)
	go func() {
		for c := range chunks {
			next <- c
		}
		close(next)
	}()
	workers := min(runtime.GOMAXPROCS(0), chunks)
	for range workers {
		go func() {
			// A buffer first, then the next chunk: the earliest chunk not
			// yet written always has a buffer, so the writer never waits
			// on a chunk that waits for a buffer.
			for e := range free {
				c, ok := <-next
				if !ok {
					return
				}
				e.buf.Reset()
				e.err = nil
				enc := json.NewEncoder(&e.buf)
				enc.SetIndent("  ", "  ")
				for i := c * chunk; i < min(n, (c+1)*chunk) && e.err == nil; i++ {
					mark := e.buf.Len()
					e.buf.WriteString("  ")
					if e.err = enc.Encode(item(i)); e.err == nil {
						e.buf.Truncate(e.buf.Len() - 1) // the newline Encode ends with
						if i < n-1 {
							e.buf.WriteByte(',')
						}
						e.buf.WriteByte('\n')
					} else {
						e.buf.Truncate(mark)
					}
				}
				results[c] <- e
			}
		}()
	}
	var err error
	for _, r := range results {
		e := <-r
		if err == nil {
			err = e.err
		}
		if err == nil {
			_, err = w.Write(e.buf.Bytes())
		}
		free <- e
	}
	if err != nil {
		return err
	}
	w.WriteString("]\n")
	return w.Flush()
}
