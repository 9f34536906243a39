package cli

import (
	"io"
	"sync"
)

// lockedWriter lets a server goroutine log while the test reads later.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
