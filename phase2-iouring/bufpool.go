//go:build linux || darwin

package iouring

// bufPool holds the buffers file reads and writes hand to the kernel, by
// power-of-two size class from minPooled to maxPooled. A buffer leaves the
// pool for one op and comes back at that op's CQE — also when the future
// was dropped first, through the op's orphan handler — so no caller's
// memory is ever in the kernel's hands. Executor goroutine only; the zero
// value is an empty pool.
type bufPool struct {
	free [poolClasses][][]byte
}

const (
	minPooled   = 512
	maxPooled   = 1 << 20
	poolClasses = 12 // 512 B … 1 MiB
	poolKeep    = 64 // buffers kept per class
)

// class returns the size class that holds n bytes.
func poolClass(n int) int {
	c, size := 0, minPooled
	for size < n {
		c, size = c+1, size<<1
	}
	return c
}

// get returns a buffer of n bytes (n <= maxPooled); nil for 0.
func (p *bufPool) get(n int) []byte {
	if n == 0 {
		return nil
	}
	c := poolClass(n)
	if l := len(p.free[c]); l > 0 {
		b := p.free[c][l-1]
		p.free[c] = p.free[c][:l-1]
		return b[:n]
	}
	return make([]byte, minPooled<<c)[:n]
}

// put returns b, which no op uses any more, to the pool.
func (p *bufPool) put(b []byte) {
	if cap(b) < minPooled || cap(b) > maxPooled {
		return
	}
	c := poolClass(cap(b))
	if minPooled<<c != cap(b) || len(p.free[c]) >= poolKeep {
		return
	}
	p.free[c] = append(p.free[c], b[:cap(b)])
}
