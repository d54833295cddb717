package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"
)

// meter counts and hashes the bytes passing through it and reports
// progress at most once a second.
type meter struct {
	mu       sync.Mutex
	n        int64
	h        hash.Hash
	out      io.Writer // nil: no progress
	terminal bool
	verb     string
	start    time.Time
	last     time.Time
}

func newMeter(out io.Writer, terminal bool, verb string) *meter {
	return &meter{h: sha256.New(), out: out, terminal: terminal, verb: verb, start: time.Now()}
}

func (m *meter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.h.Write(p)
	m.n += int64(len(p))
	// A terminal gets a live line; a Job's log a line every 30 seconds.
	every := 30 * time.Second
	if m.terminal {
		every = time.Second
	}
	if m.out != nil && time.Since(m.last) >= every {
		m.last = time.Now()
		m.report(false)
	}
	return len(p), nil
}

func (m *meter) report(final bool) {
	secs := time.Since(m.start).Seconds()
	rate := float64(m.n) / (1 << 20) / max(secs, 0.001)
	line := fmt.Sprintf("%s %.1f MiB in %.0fs (%.1f MiB/s)", m.verb, float64(m.n)/(1<<20), secs, rate)
	switch {
	case m.terminal && final:
		fmt.Fprintf(m.out, "\r\033[K%s\n", line)
	case m.terminal:
		fmt.Fprintf(m.out, "\r\033[K%s", line)
	default:
		fmt.Fprintln(m.out, line)
	}
}

// done prints the last progress line.
func (m *meter) done() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.out != nil {
		m.report(true)
	}
}

func (m *meter) sum() (int64, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n, hex.EncodeToString(m.h.Sum(nil))
}
