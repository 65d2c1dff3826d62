//go:build linux

package iouring

// RegisterBuffers emulates IORING_REGISTER_BUFFERS: the fallback only
// remembers where each buffer lies, to refuse a READ_FIXED outside it.
func (f *FallbackRing) RegisterBuffers(p *BufferPool) error {
	bufs := make([][]byte, p.Len())
	for i := range bufs {
		bufs[i] = p.Buf(i)
	}
	return f.registerBufferRanges(bufs)
}
