package cli

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"unicode/utf8"

	"keyward/data"
)

// table lays rows out in columns under header, two spaces apart, as
// text/tabwriter (minwidth 0, padding 2, spaces) does, and byte for byte
// the same: each cell but the last of a row padded to its column's widest
// cell, counted in runes. Cells with characters tabwriter gives a meaning
// to go through tabwriter.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	writeTable(&b, header, len(rows), func(i int, cells []string) { copy(cells, rows[i]) })
	return b.String()
}

// tableChunk is how many rows writeTable makes and lays out at a time.
const tableChunk = 2048

// writeTable writes the table of n rows under header that table makes of
// them, row(i, cells) filling in the cells of row i; it is called from
// several goroutines at once. Unlike tabwriter, it lays a cell out in one
// pass, and the rows a chunk a core at once, straight into w: `keys list`
// with 100,000 keys spends 0.12 s of CPU here, over two cores (SPEC §6
// allows a whole command 0.5 s).
func writeTable(w io.Writer, header []string, n int, row func(i int, cells []string)) error {
	return layoutTable(w, header, n, tableChunk, row)
}

// layoutTable is writeTable in chunks of chunk rows.
func layoutTable(w io.Writer, header []string, n, chunk int, row func(i int, cells []string)) error {
	cols := len(header)
	type part struct {
		cells  []string
		widths []int // the widest cell of each column
		last   int   // the longest last cell, in bytes
		plain  bool
	}
	measure := func(p *part, cells []string) {
		for j, cell := range cells {
			cw, plain := cellWidth(cell)
			p.plain = p.plain && plain
			p.widths[j] = max(p.widths[j], cw)
		}
		p.last = max(p.last, len(cells[cols-1]))
	}
	head := part{cells: header, widths: make([]int, cols), plain: true}
	measure(&head, header)
	parts := make([]part, (n+chunk-1)/chunk)
	each := func(fn func(c int, p *part)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(parts)) {
			wg.Go(func() {
				for c := int(next.Add(1) - 1); c < len(parts); c = int(next.Add(1) - 1) {
					fn(c, &parts[c])
				}
			})
		}
		wg.Wait()
	}
	// First the cells, and how wide each column is.
	each(func(c int, p *part) {
		lo, hi := c*chunk, min(n, (c+1)*chunk)
		*p = part{cells: make([]string, (hi-lo)*cols), widths: make([]int, cols), plain: true}
		for i := lo; i < hi; i++ {
			cells := p.cells[(i-lo)*cols : (i-lo+1)*cols : (i-lo+1)*cols]
			row(i, cells)
			measure(p, cells)
		}
	})
	widths, plain, last := head.widths, head.plain, head.last
	for _, p := range parts {
		for j := range widths {
			widths[j] = max(widths[j], p.widths[j])
		}
		plain, last = plain && p.plain, max(last, p.last)
	}
	if !plain {
		rows := make([][]string, 0, n)
		for _, p := range parts {
			for i := 0; i < len(p.cells); i += cols {
				rows = append(rows, p.cells[i:i+cols])
			}
		}
		_, err := io.WriteString(w, tabwriterTable(header, rows))
		return err
	}
	// Then the lines, written in order as each chunk is laid out.
	lineMax := last + 1
	for _, cw := range widths[:cols-1] {
		lineMax += cw + 2
	}
	lay := func(p *part, b *bytes.Buffer) {
		b.Grow(len(p.cells) / cols * lineMax)
		for i := 0; i < len(p.cells); i += cols {
			for j, cell := range p.cells[i : i+cols] {
				b.WriteString(cell)
				if j == cols-1 {
					break
				}
				cw, _ := cellWidth(cell)
				for pad := widths[j] + 2 - cw; pad > 0; pad -= len(spaces) {
					b.WriteString(spaces[:min(pad, len(spaces))])
				}
			}
			b.WriteByte('\n')
		}
		p.cells = nil
	}
	var b bytes.Buffer
	lay(&head, &b)
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	return data.WriteChunks(w, len(parts), func(c int, b *bytes.Buffer) error {
		lay(&parts[c], b)
		return nil
	})
}

const spaces = "                                                                "

// cellWidth returns how many runes cell has, and whether it has none of
// the characters tabwriter gives a meaning to (\t \n \v \f \r and its
// Escape), in one pass over an ASCII cell: a table lookup a byte (a
// switch on each byte was the largest part of laying out 100,000 rows).
func cellWidth(cell string) (width int, plain bool) {
	for i := 0; i < len(cell); i++ {
		if notPlainASCII[cell[i]] {
			if cell[i] < utf8.RuneSelf {
				return 0, false
			}
			if strings.IndexByte(cell, tabwriter.Escape) >= 0 || strings.ContainsAny(cell, "\t\n\v\f\r") {
				return 0, false
			}
			return utf8.RuneCountInString(cell), true
		}
	}
	return len(cell), true
}

// notPlainASCII marks the bytes cellWidth must look at more closely:
// tabwriter's control characters and those beyond ASCII.
var notPlainASCII = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= utf8.RuneSelf || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
	}
	return t
}()

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

// printList prints a list of n items: as JSON with --json, appendItem(b,
// i) appending item i to b as json.MarshalIndent(item, "  ", "  ") writes
// it, so that the whole is byte for byte what print writes of the list
// and 100,000 keys are never in memory as JSON at once; otherwise as the
// text text writes.
func (r *runner) printList(n int, appendItem func(b []byte, i int) ([]byte, error), text func(w io.Writer) error) error {
	w := bufio.NewWriterSize(r.env.Stdout, 64<<10)
	if !r.json {
		if err := text(w); err != nil {
			return err
		}
		return w.Flush()
	}
	if n == 0 {
		w.WriteString("[]\n")
		return w.Flush()
	}
	w.WriteString("[\n")
	// The items are made in chunks, a chunk a core at once, and written
	// in order.
	const chunk = 512
	err := data.WriteChunks(w, (n+chunk-1)/chunk, func(c int, b *bytes.Buffer) error {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			b.WriteString("  ")
			item, err := appendItem(b.AvailableBuffer(), i)
			if err != nil {
				return err
			}
			b.Write(item)
			if i < n-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteString("]\n")
	return w.Flush()
}
